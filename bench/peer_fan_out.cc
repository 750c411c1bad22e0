#include "peer_fan_out.h"

#include <proton/listener.hpp>
#include <proton/source.hpp>
#include <proton/work_queue.hpp>

#include <cstdio>
#include <iostream>

#include "amqp/proton_compat.h"

namespace slussen::bench {

void ReadyLine::on_open(proton::listener& l) {
  std::printf("%s ready amqp=%s:%d\n", name_.c_str(), host_.c_str(), l.port());
  std::fflush(stdout);
}

void ReadyLine::on_error(proton::listener&, const std::string& e) {
  std::cerr << name_ << ": cannot listen: " << e << "\n";
}

void FanOut::Remove(const proton::sender& s) {
  std::erase_if(outs_, [&](const Out& o) { return o.sender == s; });
}

void FanOut::RemoveConnection(const proton::connection& c) {
  std::erase_if(outs_, [&](const Out& o) { return o.sender.connection() == c; });
}

std::vector<std::string> FanOut::Addresses() const {
  std::vector<std::string> out;
  for (const auto& o : outs_) out.push_back(o.sender.source().address());
  return out;
}

void FanOut::Forward(const Bytes& bytes) {
  for (auto& out : outs_) {
    out.queue.push_back(bytes);
    if (!out.flush_queued) {
      out.flush_queued = true;
      proton::sender s = out.sender;
      s.work_queue().add([this, s] { Flush(s, true); });
    }
  }
}

void FanOut::Flush(proton::sender s, bool from_queue) {
  for (auto& out : outs_) {
    if (!(out.sender == s)) continue;
    if (from_queue) out.flush_queued = false;
    while (!out.queue.empty() && s.credit() > 0) {
      const uint64_t tag = next_tag_++;
      const auto& bytes = *out.queue.front();
      amqp::SendRaw(s, {reinterpret_cast<const char*>(&tag), sizeof tag}, {bytes.data(), bytes.size()});
      out.queue.pop_front();
    }
  }
}

}  // namespace slussen::bench
