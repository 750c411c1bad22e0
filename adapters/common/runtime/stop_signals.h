#pragma once
// How an adapter process ends: SIGTERM (systemd, scripts) or SIGINT (a terminal). The main thread
// blocks them before it starts any other thread, so every thread inherits the mask and only the
// main thread, waiting in WaitForStopSignal(), ever sees them; it then stops the adapter in
// order (listeners, in-flight work, the hub connection) and exits 0. SIGPIPE is ignored: a peer
// that hangs up on a socket we write to is an error value, not the end of the process.
namespace slussen::adapter {

// Call first in main(), before any thread exists.
void BlockStopSignals();
// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForStopSignal();

}  // namespace slussen::adapter
