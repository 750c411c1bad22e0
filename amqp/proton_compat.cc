#include "amqp/proton_compat.h"

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/terminus.h>

namespace slussen::amqp {
namespace {

// Each reaches the protected pn_object() of its base through a pointer to member, which a
// derived class may form.
struct TransferAccess : proton::transfer {
  static pn_delivery_t* Of(const proton::transfer& t) {
    auto accessor = &TransferAccess::pn_object;
    return (t.*accessor)();
  }
};
struct LinkAccess : proton::link {
  static pn_link_t* Of(const proton::link& l) {
    auto accessor = &LinkAccess::pn_object;
    return (l.*accessor)();
  }
};
struct ConnectionAccess : proton::connection {
  static pn_connection_t* Of(const proton::connection& c) {
    auto accessor = &ConnectionAccess::pn_object;
    return (c.*accessor)();
  }
};

struct TransportAccess : proton::transport {
  static pn_transport_t* Of(const proton::transport& t) {
    auto accessor = &TransportAccess::pn_object;
    return (t.*accessor)();
  }
};

}  // namespace

pn_delivery_t* Raw(const proton::transfer& t) { return TransferAccess::Of(t); }
pn_link_t* Raw(const proton::link& l) { return LinkAccess::Of(l); }
pn_connection_t* Raw(const proton::connection& c) { return ConnectionAccess::Of(c); }
pn_transport_t* Raw(const proton::transport& t) { return TransportAccess::Of(t); }

void RejectAndSettle(pn_delivery_t* d, const Condition& condition) {
  pn_condition_t* cond = pn_disposition_condition(pn_delivery_local(d));
  pn_condition_set_name(cond, condition.name.c_str());
  pn_condition_set_description(cond, condition.description.c_str());
  pn_delivery_update(d, PN_REJECTED);
  pn_delivery_settle(d);
}

Condition RemoteCondition(const proton::tracker& t) {
  Condition out;
  pn_disposition_t* remote = pn_delivery_remote(Raw(t));
  pn_condition_t* cond = remote ? pn_disposition_condition(remote) : nullptr;
  if (cond && pn_condition_is_set(cond)) {
    const char* name = pn_condition_get_name(cond);
    const char* desc = pn_condition_get_description(cond);
    out.name = name ? name : "";
    out.description = desc ? desc : "";
  }
  return out;
}

bool UndeliverableHere(const proton::tracker& t) {
  pn_disposition_t* remote = pn_delivery_remote(Raw(t));
  return remote && pn_disposition_is_undeliverable(remote);
}

bool SendRaw(const proton::sender& s, std::string_view tag, std::string_view bytes) {
  pn_link_t* link = Raw(s);
  if (!pn_delivery(link, pn_dtag(tag.data(), tag.size()))) return false;
  if (!bytes.empty() && pn_link_send(link, bytes.data(), bytes.size()) < 0) return false;
  return pn_link_advance(link);
}

bool RefusedAtAttach(const proton::link& l) {
  pn_link_t* raw = Raw(l);
  if (pn_link_state(raw) & PN_REMOTE_CLOSED) return true;
  pn_terminus_t* remote = pn_link_is_receiver(raw) ? pn_link_remote_source(raw)
                                                   : pn_link_remote_target(raw);
  return pn_terminus_get_type(remote) == PN_UNSPECIFIED;
}

}  // namespace slussen::amqp
