#pragma once
// An AMQP 1.0 peer written from the specification, not from Proton's engine: a plain TCP socket,
// the protocol header, and frames encoded by hand (performative bodies through Proton's C codec,
// pn_data_*, which is only a value encoder). Tests use it to act as a client the project did not
// write would: send what no well-behaved library would send (a transfer that is not a message,
// a delivery that never ends, a message with two data sections) and watch the hub's answer frame
// by frame (a close or detach with its error condition, a disposition with its outcome).
//
// Single-threaded: one thread owns a RawAmqpSocket. Every wait takes a deadline.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testing/amqp_codec.h"

namespace slussen::testing {

class RawAmqpSocket {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  static Deadline In(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

  // Connects over plain TCP (no SASL layer: a peer that insists on SASL is an error), exchanges
  // protocol headers, sends open and begin and waits for the peer's open and begin.
  static std::unique_ptr<RawAmqpSocket> Open(const std::string& host, uint16_t port,
                                             Deadline deadline, std::string* error);
  ~RawAmqpSocket();
  RawAmqpSocket(const RawAmqpSocket&) = delete;
  RawAmqpSocket& operator=(const RawAmqpSocket&) = delete;

  // Attaches a sending link (role sender) to `address` as `handle` and waits for the peer's
  // attach and a flow granting credit. False with `error` (the peer's detach, say) otherwise.
  bool AttachSender(uint32_t handle, const std::string& address, Deadline deadline,
                    std::string* error);
  // Attaches a receiving link from `address` as `handle`, grants `credit` and waits for the
  // peer's attach.
  // With `settle_second`, asks for rcv-settle-mode second: the peer settles first, we after.
  bool AttachReceiver(uint32_t handle, const std::string& address, uint32_t credit,
                      Deadline deadline, std::string* error, bool settle_second = false);
  // A receiver's disposition of one delivery: accepted, settled or not.
  bool SendAccepted(uint32_t delivery_id, bool settled);

  // One transfer frame on `handle`. The first frame of a delivery carries its id and tag;
  // continuation frames (first=false) carry neither. Waits while the peer's session window is
  // full. False if the socket is gone, or if the peer detached, ended or closed meanwhile (the
  // frame is left for ReadFrame/Poll).
  bool SendTransfer(uint32_t handle, uint32_t delivery_id, const std::string& payload,
                    bool more, bool first = true);
  bool SendClose();

  // Frames the peer has sent, up to `deadline`; stops early at end of stream. Answers nothing
  // itself but sends heartbeats if the peer asked for them.
  std::optional<AmqpFrame> ReadFrame(Deadline deadline);
  // Reads until `pred` holds for a frame (returned) or the deadline / end of stream.
  std::optional<AmqpFrame> ReadUntil(const std::function<bool(const AmqpFrame&)>& pred,
                                     Deadline deadline);
  // Frames already received, without waiting (reads what the socket has now).
  std::vector<AmqpFrame> Poll();

  bool peer_closed_socket() const { return eof_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint32_t remote_max_frame() const { return remote_max_frame_; }
  const std::string& last_error() const { return last_error_; }

 private:
  explicit RawAmqpSocket(int fd) : fd_(fd) {}
  bool Handshake(Deadline deadline, std::string* error);
  bool ReadExactly(std::size_t n, std::string* out, Deadline deadline);
  bool WriteAll(const std::string& bytes);
  bool SendFrame(uint8_t type, uint16_t channel, const std::string& body);
  bool SendPerformative(uint64_t code, const std::function<void(pn_data_t*)>& fields,
                        const std::string& payload = "");
  // Moves whatever the socket holds into in_; waits up to `deadline` for the first byte.
  bool Fill(Deadline deadline);
  std::optional<AmqpFrame> TakeFrame();
  // Moves complete frames from in_ to pending_, noting the peer's session window on the way.
  void Parse();
  void MaybeHeartbeat();

  int fd_ = -1;
  std::string in_;
  std::deque<AmqpFrame> pending_;  // parsed, not yet handed out
  // Session flow control (transfer frames): we may send while our next outgoing id is below the
  // peer's next incoming id plus its incoming window.
  uint64_t next_outgoing_id_ = 0;
  uint64_t remote_next_incoming_id_ = 0;
  uint64_t remote_incoming_window_ = 0;
  bool eof_ = false;
  uint64_t bytes_sent_ = 0;
  uint32_t remote_max_frame_ = 512;
  uint32_t remote_idle_ms_ = 0;
  uint32_t remote_next_outgoing_id_ = 0;  // from the peer's begin: our next-incoming-id
  std::chrono::steady_clock::time_point last_send_ = std::chrono::steady_clock::now();
  std::string last_error_;
};

}  // namespace slussen::testing
