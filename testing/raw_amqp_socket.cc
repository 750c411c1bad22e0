#include "testing/raw_amqp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <proton/codec.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace slussen::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAmqpHeader[] = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
constexpr char kSaslHeader[] = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
constexpr uint8_t kAmqpFrame = 0;
constexpr uint32_t kWindow = 0x7fffffff;
constexpr uint32_t kOurMaxFrame = 1024 * 1024;

int RemainingMs(RawAmqpSocket::Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
}

}  // namespace

std::unique_ptr<RawAmqpSocket> RawAmqpSocket::Open(const std::string& host, uint16_t port,
                                                   Deadline deadline, std::string* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<RawAmqpSocket> s(new RawAmqpSocket(fd));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    *error = "not an IPv4 address: " + host;
    return nullptr;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::string("connect: ") + std::strerror(errno);
    return nullptr;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (!s->Handshake(deadline, error)) return nullptr;
  return s;
}

RawAmqpSocket::~RawAmqpSocket() {
  if (fd_ < 0) return;
  if (!eof_) {
    // A close frame, once, without waiting: a peer that stopped reading must not hold us here.
    const std::string close = EncodeDescribedList(amqp::kClose, nullptr);
    std::string frame = {0, 0, 0, static_cast<char>(8 + close.size()), 2, 0, 0, 0};
    frame += close;
    [[maybe_unused]] const ssize_t n = ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  ::close(fd_);
}

bool RawAmqpSocket::Handshake(Deadline deadline, std::string* error) {
  std::string header;
  if (!WriteAll(std::string(kAmqpHeader, 8)) || !ReadExactly(8, &header, deadline)) {
    *error = "protocol header exchange failed: " + last_error_;
    return false;
  }
  if (header == std::string(kSaslHeader, 8)) {
    *error = "peer answered the AMQP header with the SASL header; connect with SASL instead";
    return false;
  }
  if (header != std::string(kAmqpHeader, 8)) {
    *error = "unexpected protocol header from peer";
    return false;
  }
  SendPerformative(amqp::kOpen, [](pn_data_t* d) {
    PutString(d, ("slussen-raw-probe"));
    PutString(d, ("127.0.0.1"));
    pn_data_put_uint(d, kOurMaxFrame);
    pn_data_put_ushort(d, 7);
  });
  SendPerformative(amqp::kBegin, [](pn_data_t* d) {
    pn_data_put_null(d);  // remote-channel: we begin
    pn_data_put_uint(d, 0);
    pn_data_put_uint(d, kWindow);
    pn_data_put_uint(d, kWindow);
    pn_data_put_uint(d, 63);
  });
  bool opened = false, begun = false;
  while (!(opened && begun)) {
    auto f = ReadFrame(deadline);
    if (!f) {
      *error = "no open and begin from peer: " + last_error_;
      return false;
    }
    if (f->code == amqp::kOpen) {
      opened = true;
      if (const AmqpValue* v = f->body.Field(2)) remote_max_frame_ = static_cast<uint32_t>(v->number);
      if (const AmqpValue* v = f->body.Field(4)) remote_idle_ms_ = static_cast<uint32_t>(v->number);
    } else if (f->code == amqp::kBegin) {
      begun = true;
      if (const AmqpValue* v = f->body.Field(1)) {
        remote_next_outgoing_id_ = static_cast<uint32_t>(v->number);
      }
    } else if (f->code == amqp::kClose || f->code == amqp::kEnd) {
      *error = "peer refused the connection: " + f->Describe();
      return false;
    }
  }
  return true;
}

bool RawAmqpSocket::AttachSender(uint32_t handle, const std::string& address, Deadline deadline,
                                 std::string* error) {
  SendPerformative(amqp::kAttach, [&](pn_data_t* d) {
    PutString(d, ("raw-sender-" + std::to_string(handle)));
    pn_data_put_uint(d, handle);
    pn_data_put_bool(d, false);  // role: sender
    pn_data_put_null(d);         // snd-settle-mode: mixed
    pn_data_put_null(d);         // rcv-settle-mode: first
    PutTerminus(d, amqp::kSource, "");
    PutTerminus(d, amqp::kTarget, address);
    pn_data_put_null(d);  // unsettled
    pn_data_put_null(d);  // incomplete-unsettled
    pn_data_put_uint(d, 0);  // initial-delivery-count
  });
  bool attached = false;
  while (true) {
    auto f = ReadFrame(deadline);
    if (!f) {
      *error = "no attach and credit from peer: " + last_error_;
      return false;
    }
    if (f->code == amqp::kAttach) attached = true;
    if (f->code == amqp::kDetach || f->code == amqp::kEnd || f->code == amqp::kClose) {
      *error = "peer refused the link: " + f->Describe();
      return false;
    }
    const AmqpValue* credit = f->code == amqp::kFlow ? f->body.Field(6) : nullptr;
    if (attached && credit != nullptr && credit->number > 0) return true;
  }
}

bool RawAmqpSocket::SendAccepted(uint32_t delivery_id, bool settled) {
  return SendPerformative(amqp::kDisposition, [&](pn_data_t* d) {
    pn_data_put_bool(d, true);  // role: receiver
    pn_data_put_uint(d, delivery_id);
    pn_data_put_uint(d, delivery_id);
    pn_data_put_bool(d, settled);
    pn_data_put_described(d);
    pn_data_enter(d);
    pn_data_put_ulong(d, amqp::kAccepted);
    pn_data_put_list(d);
    pn_data_exit(d);
  });
}

bool RawAmqpSocket::AttachReceiver(uint32_t handle, const std::string& address, uint32_t credit,
                                   Deadline deadline, std::string* error, bool settle_second) {
  SendPerformative(amqp::kAttach, [&](pn_data_t* d) {
    PutString(d, ("raw-receiver-" + std::to_string(handle)));
    pn_data_put_uint(d, handle);
    pn_data_put_bool(d, true);  // role: receiver
    pn_data_put_null(d);
    if (settle_second) pn_data_put_ubyte(d, 1); else pn_data_put_null(d);
    PutTerminus(d, amqp::kSource, address);
    PutTerminus(d, amqp::kTarget, "");
  });
  auto f = ReadUntil([](const AmqpFrame& fr) {
    return fr.code == amqp::kAttach || fr.code == amqp::kDetach || fr.code == amqp::kEnd ||
           fr.code == amqp::kClose;
  }, deadline);
  if (!f || f->code != amqp::kAttach) {
    *error = "no attach from peer: " + (f ? f->Describe() : last_error_);
    return false;
  }
  // A refusal is an attach with no source, followed by a detach.
  if (f->body.Field(5) == nullptr) {
    auto detach = ReadUntil([](const AmqpFrame& fr) { return fr.code == amqp::kDetach; }, deadline);
    *error = "peer refused the link: " + (detach ? detach->Describe() : "attach without source");
    return false;
  }
  return SendPerformative(amqp::kFlow, [&](pn_data_t* d) {
    pn_data_put_uint(d, remote_next_outgoing_id_);
    pn_data_put_uint(d, kWindow);
    pn_data_put_uint(d, 0);
    pn_data_put_uint(d, kWindow);
    pn_data_put_uint(d, handle);
    pn_data_put_uint(d, 0);  // delivery-count
    pn_data_put_uint(d, credit);
  });
}

bool RawAmqpSocket::SendTransfer(uint32_t handle, uint32_t delivery_id, const std::string& payload,
                                 bool more, bool first) {
  const Deadline deadline = In(std::chrono::seconds(60));
  while (next_outgoing_id_ >= remote_next_incoming_id_ + remote_incoming_window_) {
    Parse();
    for (const auto& f : pending_) {
      if (f.code == amqp::kDetach || f.code == amqp::kEnd || f.code == amqp::kClose) return false;
    }
    if (next_outgoing_id_ < remote_next_incoming_id_ + remote_incoming_window_) break;
    if (!Fill(deadline) && (eof_ || Clock::now() >= deadline)) {
      last_error_ = "the peer's session window stayed full: " + last_error_;
      return false;
    }
  }
  ++next_outgoing_id_;
  return SendPerformative(amqp::kTransfer, [&](pn_data_t* d) {
    pn_data_put_uint(d, handle);
    if (first) {
      pn_data_put_uint(d, delivery_id);
      const std::string tag = "t" + std::to_string(delivery_id);
      PutBinary(d, tag);
      pn_data_put_uint(d, 0);       // message-format
      pn_data_put_bool(d, false);   // settled
    } else {
      for (int i = 0; i < 4; ++i) pn_data_put_null(d);
    }
    pn_data_put_bool(d, more);
  }, payload);
}

bool RawAmqpSocket::SendClose() { return SendPerformative(amqp::kClose, nullptr); }

bool RawAmqpSocket::SendPerformative(uint64_t code, const std::function<void(pn_data_t*)>& fields,
                                     const std::string& payload) {
  return SendFrame(kAmqpFrame, 0, EncodeDescribedList(code, fields) + payload);
}

bool RawAmqpSocket::SendFrame(uint8_t type, uint16_t channel, const std::string& body) {
  const uint32_t size = static_cast<uint32_t>(8 + body.size());
  std::string frame(8, '\0');
  frame[0] = static_cast<char>(size >> 24);
  frame[1] = static_cast<char>(size >> 16);
  frame[2] = static_cast<char>(size >> 8);
  frame[3] = static_cast<char>(size);
  frame[4] = 2;  // doff: 2 words, no extended header
  frame[5] = static_cast<char>(type);
  frame[6] = static_cast<char>(channel >> 8);
  frame[7] = static_cast<char>(channel);
  return WriteAll(frame + body);
}

bool RawAmqpSocket::WriteAll(const std::string& bytes) {
  // Reads while it writes, so that a peer that stops reading to answer cannot deadlock us, and
  // gives up after a generous deadline if the peer neither reads nor closes.
  const Deadline deadline = In(std::chrono::seconds(60));
  std::size_t done = 0;
  while (done < bytes.size()) {
    pollfd p{fd_, POLLOUT | POLLIN, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) <= 0) {
      last_error_ = "write: peer did not read for 60 s";
      return false;
    }
    if (p.revents & POLLIN) Fill(Clock::now());
    if (!(p.revents & (POLLOUT | POLLERR | POLLHUP))) continue;
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      last_error_ = std::string("write: ") + std::strerror(errno);
      return false;
    }
    done += static_cast<std::size_t>(n);
    bytes_sent_ += static_cast<uint64_t>(n);
  }
  last_send_ = Clock::now();
  return true;
}

bool RawAmqpSocket::Fill(Deadline deadline) {
  if (eof_) return false;
  while (true) {
    MaybeHeartbeat();
    int wait = RemainingMs(deadline);
    if (remote_idle_ms_ > 0) wait = std::min<int>(wait, static_cast<int>(remote_idle_ms_ / 4) + 1);
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, wait);
    if (r > 0) break;
    if (r < 0 && errno != EINTR) {
      last_error_ = std::string("poll: ") + std::strerror(errno);
      return false;
    }
    if (Clock::now() >= deadline) {
      last_error_ = "deadline passed";
      return false;
    }
  }
  char buf[65536];
  bool got = false;
  while (true) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, static_cast<std::size_t>(n));
      got = true;
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      eof_ = true;
      last_error_ = n == 0 ? "peer closed the socket" : std::string("read: ") + std::strerror(errno);
    }
    return got;
  }
}

bool RawAmqpSocket::ReadExactly(std::size_t n, std::string* out, Deadline deadline) {
  while (in_.size() < n) {
    if (!Fill(deadline) && (eof_ || Clock::now() >= deadline) && in_.size() < n) return false;
  }
  *out = in_.substr(0, n);
  in_.erase(0, n);
  return true;
}

std::optional<AmqpFrame> RawAmqpSocket::TakeFrame() {
  if (in_.size() < 8) return std::nullopt;
  const auto byte = [&](std::size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(in_[i])); };
  const uint32_t size = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
  if (in_.size() < size) return std::nullopt;
  AmqpFrame f;
  f.channel = static_cast<uint16_t>(byte(6) << 8 | byte(7));
  const std::size_t body_at = std::min<std::size_t>(byte(4) * 4, size);
  const std::string body = in_.substr(body_at, size - body_at);
  in_.erase(0, size);
  if (body.empty()) {
    f.heartbeat = true;
    return f;
  }
  DecodeFrameBody(body, &f);
  return f;
}

void RawAmqpSocket::Parse() {
  while (auto f = TakeFrame()) {
    if (f->heartbeat) continue;
    if (f->code == amqp::kBegin) {
      // Its next-outgoing-id is ours to receive; its incoming-window is what we may send.
      remote_next_incoming_id_ = 0;  // we began with next-outgoing-id 0
      if (const AmqpValue* v = f->body.Field(2)) remote_incoming_window_ = v->number;
    } else if (f->code == amqp::kFlow) {
      const AmqpValue* next = f->body.Field(0);
      remote_next_incoming_id_ = next ? next->number : 0;
      if (const AmqpValue* v = f->body.Field(1)) remote_incoming_window_ = v->number;
    }
    pending_.push_back(std::move(*f));
  }
}

std::optional<AmqpFrame> RawAmqpSocket::ReadFrame(Deadline deadline) {
  while (true) {
    Parse();
    if (!pending_.empty()) {
      AmqpFrame f = std::move(pending_.front());
      pending_.pop_front();
      return f;
    }
    if (!Fill(deadline) && (eof_ || Clock::now() >= deadline)) {
      Parse();
      if (pending_.empty()) return std::nullopt;
    }
  }
}

std::optional<AmqpFrame> RawAmqpSocket::ReadUntil(
    const std::function<bool(const AmqpFrame&)>& pred, Deadline deadline) {
  while (auto f = ReadFrame(deadline)) {
    if (pred(*f)) return f;
  }
  return std::nullopt;
}

std::vector<AmqpFrame> RawAmqpSocket::Poll() {
  Fill(Clock::now());
  Parse();
  std::vector<AmqpFrame> out(std::make_move_iterator(pending_.begin()),
                             std::make_move_iterator(pending_.end()));
  pending_.clear();
  return out;
}

void RawAmqpSocket::MaybeHeartbeat() {
  if (remote_idle_ms_ == 0 || eof_) return;
  if (Clock::now() - last_send_ < std::chrono::milliseconds(remote_idle_ms_ / 2)) return;
  last_send_ = Clock::now();  // first: WriteAll reads, and reading comes back here
  SendFrame(kAmqpFrame, 0, "");
}

}  // namespace slussen::testing