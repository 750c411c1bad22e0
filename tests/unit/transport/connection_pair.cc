#include "unit/transport/connection_pair.h"

#include <proton/receiver_options.hpp>

#include <algorithm>
#include <cstring>

#include "wire/event_kind.h"

namespace slussen::testing {

int RecordingInbox::DemandFor(uint64_t link_id) const {
  int total = 0;
  for (const auto& d : All<LinkDemand>()) {
    if (d.link_id == link_id) total += d.credit;
  }
  return total;
}

ConnectionPair::ConnectionPair(uint64_t id, const Config& config, CoreInbox& inbox,
                               LinkIdSource& link_ids, TransportCounters& counters,
                               const std::atomic<bool>& accepting,
                               proton::connection_options client_options,
                               const AmqpConnection::Security* security)
    : client("test-client"), server(id, config, inbox, SystemClock(), link_ids, counters, accepting) {
  if (security != nullptr) {
    server.Start(AmqpConnection::ServerOptions(config), *security);
  } else {
    server.Start(AmqpConnection::ServerOptions(config));
  }
  client.connect(client_options.handler(handler));
  Pump();
}

void ConnectionPair::Pump() {
  for (int idle = 0; idle < 3;) {
    bool moved = false;
    client.dispatch();
    server.Process();
    const auto out = client.write_buffer();
    if (out.size > 0 && server.WantsRead()) {
      const auto in = server.ReadBuffer();
      const std::size_t n = std::min(out.size, in.size);
      if (n > 0) {
        std::memcpy(in.data, out.data, n);
        client.write_done(n);
        server.ReadDone(n);
        server.Process();
        moved = true;
      }
    }
    const auto back = server.WriteBuffer();
    if (back.size > 0) {
      const auto in = client.read_buffer();
      const std::size_t n = std::min(back.size, in.size);
      if (n > 0) {
        std::memcpy(in.data, back.data, n);
        server.WriteDone(n);
        client.read_done(n);
        moved = true;
      }
    }
    idle = moved || client.has_events() ? 0 : idle + 1;
  }
}

proton::sender ConnectionPair::OpenSender(const std::string& address) {
  proton::sender s = client.connection().open_sender(address);
  Pump();
  return s;
}

proton::receiver ConnectionPair::OpenReceiver(const std::string& address, int credit) {
  proton::receiver r = client.connection().open_receiver(
      address, proton::receiver_options().credit_window(0).auto_accept(false));
  r.add_credit(credit);
  Pump();
  return r;
}

void ConnectionPair::SendRaw(proton::sender& s, const std::string& tag, const std::string& bytes) {
  amqp::SendRaw(s, tag, bytes);
  Pump();
}

void ConnectionPair::Send(proton::sender& s, const std::string& tag, const std::string& message_id,
                          const std::string& body) {
  proton::message m;
  m.id(message_id);
  m.body(proton::binary(body));
  m.inferred(true);
  s.send(m, proton::binary(tag));
  Pump();
}

std::string DataSection(const std::string& body) {
  std::string out("\x00\x53\x75\xb0", 4);
  const uint32_t n = static_cast<uint32_t>(body.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  return out + body;
}

std::string EncodedMessage(const std::string& message_id, const std::string& sections) {
  proton::message m;
  m.id(message_id);
  std::vector<char> bytes;
  m.encode(bytes);  // header? no: properties (the id) and an empty amqp-value body
  // Keep only the sections before the body: Proton encodes a null body as an amqp-value.
  std::string encoded(bytes.begin(), bytes.end());
  const std::string value("\x00\x53\x77", 3);
  const auto at = encoded.rfind(value);
  if (at != std::string::npos) encoded.resize(at);
  return encoded + sections;
}

Config TestTransportConfig() {
  Config config;
  config.hub_name = "test";
  config.destinations = {{"letter", "Letter"}, {"ehr", "EHR"}};
  config.amqp_allow_plain = true;
  AdapterConfig local;
  local.name = "local-test";
  local.logins.push_back({.mechanism = AdapterLogin::Mechanism::kAnonymous});
  // May send anything under one sender: the attach checks need something to be entitled to.
  for (EventKind kind : AllEventKinds()) local.sends["SE2321000115-SH01"].insert(kind);
  local.reads.any = true;
  local.receipts_for.any = true;
  config.adapters.push_back(std::move(local));
  return config;
}

}  // namespace slussen::testing
