#include "proton_convert.h"

#include <proton/binary.hpp>
#include <proton/codec/map.hpp>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/terminus.h>
#include <proton/scalar.hpp>
#include <proton/types.hpp>
#include <proton/value.hpp>

#include <map>

namespace slussen::client {
namespace {

// proton::tracker keeps its pn_delivery_t* in a protected member, and Proton's own unwrap()
// helper lives in a private header. A derived class may read the protected accessor of itself,
// so copying the tracker into one gives us the C handle without touching Proton internals.
class RawTracker : public proton::tracker {
 public:
  explicit RawTracker(const proton::tracker& t) : proton::tracker(t) {}
  pn_delivery_t* raw() const { return pn_object(); }
};

// The same trick for links.
class RawLink : public proton::link {
 public:
  explicit RawLink(const proton::link& l) : proton::link(l) {}
  pn_link_t* raw() const { return pn_object(); }
};

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
      pn_disposition_t* remote = pn_delivery_remote(RawTracker(t).raw());
      pn_condition_t* cond = remote ? pn_disposition_condition(remote) : nullptr;
      if (cond && pn_condition_is_set(cond)) {
        const char* name = pn_condition_get_name(cond);
        const char* desc = pn_condition_get_description(cond);
        out.condition = name ? name : "";
        out.description = desc ? desc : "";
      }
      return out;
    }
    default:
      out.kind = SendOutcome::Kind::kError;
      out.description = "settled by peer without outcome (state " + proton::to_string(t.state()) + ")";
      return out;
  }
}

bool RefusedAtAttach(const proton::link& l) {
  pn_link_t* raw = RawLink(l).raw();
  if (pn_link_state(raw) & PN_REMOTE_CLOSED) return true;
  pn_terminus_t* remote = pn_link_is_receiver(raw) ? pn_link_remote_source(raw)
                                                   : pn_link_remote_target(raw);
  return pn_terminus_get_type(remote) == PN_UNSPECIFIED;
}

}  // namespace slussen::client
