#include "proton_convert.h"

#include "amqp/proton_compat.h"

#include <proton/binary.hpp>
#include <proton/codec/map.hpp>
#include <proton/scalar.hpp>
#include <proton/ssl.hpp>
#include <proton/types.hpp>
#include <proton/value.hpp>

#include <map>

namespace slussen::client {

void ApplySecurity(const ClientSecurity& security, proton::connection_options& options) {
  if (!security.ca.empty()) {
    options.ssl_client_options(
        security.cert.empty()
            ? proton::ssl_client_options(security.ca, proton::ssl::VERIFY_PEER_NAME)
            : proton::ssl_client_options(proton::ssl_certificate(security.cert, security.key),
                                         security.ca, proton::ssl::VERIFY_PEER_NAME));
  }
  if (!security.mechanisms.empty()) options.sasl_enabled(true).sasl_allowed_mechs(security.mechanisms);
  if (!security.user.empty()) options.user(security.user);
  if (!security.password.empty()) options.password(security.password);
  if (security.allow_insecure_mechanisms) options.sasl_allow_insecure_mechs(true);
}
namespace {

std::string ScalarText(const proton::scalar& s) {
  if (s.type() == proton::STRING) return proton::get<std::string>(s);
  if (s.type() == proton::SYMBOL) return std::string(proton::get<proton::symbol>(s));
  return proton::to_string(s);
}

std::string IdText(const proton::message_id& id) {
  if (id.type() == proton::STRING) return proton::get<std::string>(id);
  if (id.empty()) return "";
  return proton::to_string(id);
}

}  // namespace

proton::message ToProton(const OutgoingMessage& msg) {
  proton::message m;
  m.id(msg.message_id);
  if (!msg.subject.empty()) m.subject(msg.subject);
  if (!msg.content_type.empty()) m.content_type(msg.content_type);
  m.durable(true);
  if (!msg.user_id.empty()) m.user(msg.user_id);
  for (const auto& [k, v] : msg.properties) m.properties().put(k, v);
  if (msg.body_as_string) {
    m.body(msg.body);
  } else {
    // inferred=true makes Proton encode a binary body as a data section, not as an amqp-value
    // holding binary; the wire contract says data section.
    m.inferred(true);
    m.body(proton::binary(msg.body));
  }
  return m;
}

IncomingMessage FromProton(const proton::message& m, const std::string& address) {
  IncomingMessage in;
  in.address = address;
  in.message_id = IdText(m.id());
  in.subject = m.subject();
  in.content_type = m.content_type();
  in.durable = m.durable();
  in.user_id = m.user();
  if (!m.properties().empty()) {
    std::map<std::string, proton::scalar> props;
    proton::get(m.properties().value(), props);
    for (const auto& [k, v] : props) in.properties[k] = ScalarText(v);
  }
  const proton::value& body = m.body();
  switch (body.type()) {
    case proton::BINARY:
      in.body = std::string(proton::get<proton::binary>(body));
      in.body_is_binary = true;
      in.body_is_data_section = m.inferred();
      break;
    case proton::STRING:
      in.body = proton::get<std::string>(body);
      break;
    case proton::NULL_TYPE:
      break;
    default:
      in.body = proton::to_string(body);
      break;
  }
  return in;
}

SendOutcome OutcomeOf(const proton::tracker& t) {
  SendOutcome out;
  switch (t.state()) {
    case proton::transfer::ACCEPTED: out.kind = SendOutcome::Kind::kAccepted; return out;
    case proton::transfer::RELEASED: out.kind = SendOutcome::Kind::kReleased; return out;
    case proton::transfer::MODIFIED: out.kind = SendOutcome::Kind::kModified; return out;
    case proton::transfer::REJECTED: {
      out.kind = SendOutcome::Kind::kRejected;
      amqp::Condition cond = amqp::RemoteCondition(t);
      out.condition = std::move(cond.name);
      out.description = std::move(cond.description);
      return out;
    }
    default:
      out.kind = SendOutcome::Kind::kError;
      out.description = "settled by peer without outcome (state " + proton::to_string(t.state()) + ")";
      return out;
  }
}

bool RefusedAtAttach(const proton::link& l) { return amqp::RefusedAtAttach(l); }

}  // namespace slussen::client
