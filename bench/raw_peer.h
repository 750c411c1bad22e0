#pragma once
// The ceiling: a bare Proton C++ peer with no storage. It accepts every message the moment it
// arrives and forwards a copy to every attached receiving link (fan-out to all consumers), queueing
// in memory only while a consumer has no credit. One thread, one container. Run as a child
// process (`slussen-bench raw-peer`) so that its CPU and memory are measured like any other
// system under test; it prints "raw-peer ready amqp=HOST:PORT" when listening.
#include <string>

namespace slussen::bench {

int RunRawPeer(const std::string& host, int port);

}  // namespace slussen::bench
