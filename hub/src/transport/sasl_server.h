#pragma once
// The hub's own SASL server, installed on each accepted transport through Proton's plugin
// interface (proton/sasl_plugin.h, pnx_sasl_set_implementation: per transport, never the
// process-wide default, which would also take over every client transport in the process).
// Debian's Proton has no Cyrus SASL, and its built-in server never offers PLAIN.
//
// What is offered (hub/DESIGN.md "Security: TLS and SASL"):
//   EXTERNAL   on an encrypted transport whose client showed a certificate (verified by TLS);
//              the identity is the certificate's subject (RFC 2253), never the client's authzid
//   PLAIN      on an encrypted transport, or on a plain="allow" (loopback) listener; the password
//              is checked off the socket thread (CheckPlain) and the outcome sent later
//   ANONYMOUS  on a plain="allow" listener only
// An unencrypted client of a TLS-only listener is offered nothing, so no password is ever sent
// in clear to it.
//
// Threading: every call runs on the thread that owns the transport (the socket loop's).
#include <proton/transport.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/config.h"

namespace slussen {

// Who the peer proved to be.
struct SaslIdentity {
  AdapterLogin::Mechanism mechanism = AdapterLogin::Mechanism::kAnonymous;
  std::string identity;  // PLAIN: the user name; EXTERNAL: the certificate subject; else empty
};

// "PLAIN", "EXTERNAL", "ANONYMOUS": the SASL name, for log lines.
const char* MechanismName(AdapterLogin::Mechanism m);

class SaslServer {
 public:
  // Starts the check of a PLAIN login; its outcome comes back through PlainChecked. False: it
  // cannot be taken now (too many checks waiting), and the login fails at once.
  using CheckPlain = std::function<bool(const std::string& user, std::string password)>;

  struct Policy {
    bool allow_plain = false;         // <amqp plain="allow">
    const Config* config = nullptr;   // the certificate subjects EXTERNAL may bind to
  };

  // Installs the hub's SASL server on `t`, which must already have its SASL layer (call after
  // connection_driver::accept). The transport owns the object: it lives as long as `t`.
  static SaslServer* Install(pn_transport_t* t, uint64_t conn_id, Policy policy, CheckPlain check);

  // The outcome of the check `check` started (ignored if none is waiting). A success also runs
  // the input the peer pipelined behind its sasl-init (its AMQP header and open), which Proton
  // holds unread while the outcome is pending. A failure is sent without that: the peer must
  // see the SASL outcome, not a protocol error about a header it sent too early.
  void PlainChecked(pn_transport_t* t, bool ok);

  bool plain_pending() const { return pending_; }
  // Set once the exchange succeeded; empty before, after a failure, or if SASL was skipped.
  const std::optional<SaslIdentity>& identity() const { return identity_; }

  // For the plugin table (sasl_server.cc) only.
  const char* ListMechanisms(pn_transport_t* t);
  void ProcessInit(pn_transport_t* t, const char* mechanism, const pn_bytes_t* response);

 private:
  SaslServer(uint64_t conn_id, Policy policy, CheckPlain check)
      : conn_id_(conn_id), policy_(policy), check_(std::move(check)) {}
  void ProcessPlain(pn_transport_t* t, bool encrypted, const pn_bytes_t* response);
  std::string UserText(const std::string& user) const;
  void Decide(pn_transport_t* t, std::optional<SaslIdentity> identity, const std::string& why);

  const uint64_t conn_id_;
  const Policy policy_;
  const CheckPlain check_;
  std::string mechanisms_;  // what ListMechanisms returned (Proton keeps the pointer briefly)
  bool started_ = false;    // a sasl-init arrived: a second one is refused
  bool pending_ = false;    // a PLAIN check is running
  bool decided_ = false;
  std::string pending_user_;
  uint32_t held_max_frame_ = 0;  // the transport's max frame size, lifted while a check runs
  // Proton keeps the pointer pnx_sasl_set_succeeded gets: this string must outlive the transport's
  // use of it, so it lives here, with the transport.
  std::string user_;
  std::optional<SaslIdentity> identity_;
};

}  // namespace slussen
