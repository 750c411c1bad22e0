#pragma once
// The C API under Proton C++ 0.37, for what its C++ API lacks. Every Proton C++ handle keeps its C
// object behind a protected accessor (`pn_object()`); a pointer to that member, taken through a
// derived class, reads it legally without Proton's private headers. Only this file does that.
//
// All functions must run on the thread that owns the object's connection, like any Proton call.
#include <proton/connection.hpp>
#include <proton/delivery.hpp>
#include <proton/link.hpp>
#include <proton/object.h>
#include <proton/sender.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>

#include <string>
#include <string_view>

struct pn_connection_t;
struct pn_delivery_t;
struct pn_link_t;
struct pn_transport_t;

namespace slussen::amqp {

pn_delivery_t* Raw(const proton::transfer& t);  // a delivery or a tracker
pn_link_t* Raw(const proton::link& l);
pn_connection_t* Raw(const proton::connection& c);
pn_transport_t* Raw(const proton::transport& t);

// An AMQP error condition (name + description), as sent or received.
struct Condition {
  std::string name;
  std::string description;
};

// Sets the local outcome of an incoming delivery to rejected with `condition`, and settles it
// (the C++ API cannot put a condition on a rejection).
void RejectAndSettle(pn_delivery_t* d, const Condition& condition);

// The condition a peer put on its rejection of one of our deliveries; empty if none.
Condition RemoteCondition(const proton::tracker& t);

// Whether the peer's `modified` outcome of one of our deliveries says undeliverable-here.
bool UndeliverableHere(const proton::tracker& t);

// Sends `bytes` as the payload of one new delivery with `tag`, as they are: the C++ API would
// encode a proton::message. Returns false if the link has no current delivery to write to.
bool SendRaw(const proton::sender& s, std::string_view tag, std::string_view bytes);

// True if the peer refused a link we opened: it answered the attach with a null terminus, or
// detached it at once.
bool RefusedAtAttach(const proton::link& l);

// A counted reference to a Proton C object, so it stays valid for as long as we hold it (what a
// Proton C++ handle does, for objects the C++ API cannot wrap for us).
template <typename T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* p) : p_(p) { if (p_) pn_incref(p_); }
  Ref(const Ref& o) : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() { if (p_) pn_decref(p_); }
  T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

}  // namespace slussen::amqp
