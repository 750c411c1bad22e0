#pragma once
// The MLLP listener: a TCP socket the EHR connects to, each connection served on a thread of its
// own so that one slow message (waiting for the hub) never holds up another connection. On a
// connection, frames are answered one at a time and in order (HL7 original mode): the handler's
// reply to a frame is written before the next frame is handled.
//
// Bounded: at most max_connections at once (more are accepted and closed at once, with a
// warning), frames at most max_frame_bytes (hl7::MllpFramer skips larger ones), a connection that
// sends nothing for idle_timeout is closed, and a write that the peer does not read within
// write_timeout ends the connection.
//
// Stopping: StopAccepting() closes the listening socket and tells every connection to finish
// the message it is handling (if any) and close; WaitIdle() waits for that; Join() ends what is
// left (their sockets are shut down) and joins every thread. The handlers must return within a
// bounded time (they wait for the hub at most the ack timeout) for Join() to return.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.h"
#include "hl7/mllp.h"
#include "server/ehr_config.h"

namespace slussen::ehr {

class MllpListener {
 public:
  struct Options {
    ListenAddress listen;
    std::size_t max_frame_bytes = 1 << 20;
    int max_connections = 16;
    std::chrono::milliseconds idle_timeout{600'000};
    std::chrono::milliseconds write_timeout{30'000};
  };
  struct Handlers {
    // A frame's payload -> the reply's payload (not wrapped); "" writes nothing.
    std::function<std::string(std::string_view payload, const std::string& peer)> on_frame;
    // A framing error -> the reply's payload, or "" for none.
    std::function<std::string(const hl7::MllpError& error, const std::string& peer)> on_error;
  };

  // Binds and listens (port 0: any free port); serving starts with Start().
  static Result<std::unique_ptr<MllpListener>> Bind(Options options, Handlers handlers);
  ~MllpListener();  // StopAccepting() and Join()
  MllpListener(const MllpListener&) = delete;
  MllpListener& operator=(const MllpListener&) = delete;

  // "HOST:PORT" as bound (the real port), IPv6 hosts in brackets.
  std::string address() const;
  int port() const { return port_; }

  void Start();
  void StopAccepting();
  // Waits until every connection has closed, or `deadline`; true if they have.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);
  void Join();

  int open_connections() const;

 private:
  struct Connection {
    uint64_t id = 0;
    int fd = -1;        // -1 once closed (under mu_)
    bool done = false;  // the thread has finished (under mu_)
    std::thread thread;
  };

  MllpListener(Options options, Handlers handlers, int listen_fd, int stop_fd, int port);
  void AcceptLoop();
  void Serve(Connection* c, std::string peer);
  // Writes all of `bytes`; false if the peer is gone or does not read.
  bool WriteAll(int fd, std::string_view bytes);
  void Close(Connection* c);
  void ReapDone();

  const Options options_;
  const Handlers handlers_;
  int listen_fd_ = -1;
  const int stop_fd_;  // an eventfd, readable once stopping: wakes every poll()
  const int port_;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::list<Connection> connections_;
  uint64_t next_id_ = 1;
};

}  // namespace slussen::ehr
