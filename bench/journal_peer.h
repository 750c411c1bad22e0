#pragma once
// The ceiling of durable fan-out on this disk: a bare Proton C++ peer like the raw peer, except
// that nothing is accepted or forwarded until it is on disk. Each batch (everything that arrived
// while the previous fdatasync was in flight, as the hub's group commit forms them) is appended to
// one file — per event its body, destinations and an FNV-1a checksum — with one write and one
// fdatasync on a writer thread (the file is 64 MB of zeros written at start and reused from its
// start, as the hub reserves its journal); only then are the events settled `accepted` and forwarded to every
// attached receiving link. No index, no database, no validation. Run as a child process
// (`slussen-bench journal-peer --dir DIR`); it prints "journal-peer ready amqp=HOST:PORT".
#include <string>

namespace slussen::bench {

int RunJournalPeer(const std::string& host, int port, const std::string& dir);

}  // namespace slussen::bench
