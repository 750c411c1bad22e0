#pragma once
// Names the calling thread (at most 15 characters), so that `top -H`, `ps -L`, perf and gdb tell
// the hub's threads apart: core, amqp (the socket loop), journal, checkpoint, admin-http.
namespace slussen {

void NameThisThread(const char* name);

}  // namespace slussen
