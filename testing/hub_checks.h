#pragma once
// Checks on a running hub from the outside, shared by integration tests.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>

#include "testing/hub_process.h"
#include "testing/raw_amqp_socket.h"

namespace slussen::testing {

// Open descriptors of a process (Linux, /proc/<pid>/fd), or only its sockets; -1 if unreadable.
int CountFds(pid_t pid, bool sockets_only = false);

// A raw AMQP connection to the hub, open and begun; nullptr (with a test failure) if not.
std::unique_ptr<RawAmqpSocket> RawConnect(const HubProcess& hub);

// The hub is alive, and a new client gets a valid event accepted.
::testing::AssertionResult HubStillServes(HubProcess& hub);

}  // namespace slussen::testing
