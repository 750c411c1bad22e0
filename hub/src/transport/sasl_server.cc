#include "transport/sasl_server.h"

#include <proton/sasl_plugin.h>
#include <spdlog/spdlog.h>
#include <string.h>

#include <string_view>

#include "common/log_safe.h"

namespace slussen {
namespace {

using M = AdapterLogin::Mechanism;

// Longer user names are refused without a check (and cannot flood a log line).
constexpr std::size_t kMaxUser = 256;

SaslServer* Self(pn_transport_t* t) { return static_cast<SaslServer*>(pnx_sasl_get_context(t)); }

void Free(pn_transport_t* t) { delete Self(t); }
const char* List(pn_transport_t* t) { return Self(t)->ListMechanisms(t); }
bool InitServer(pn_transport_t* t) {
  pnx_sasl_set_desired_state(t, SASL_POSTED_MECHANISMS);
  return true;
}
bool InitClient(pn_transport_t*) { return false; }
void PrepareWrite(pn_transport_t*) {}
void ProcessInit(pn_transport_t* t, const char* mechanism, const pn_bytes_t* response) {
  Self(t)->ProcessInit(t, mechanism, response);
}
// No mechanism the hub offers has a challenge; a client-side frame on a server is refused.
void ProcessResponse(pn_transport_t* t, const pn_bytes_t*) {
  pnx_sasl_set_failed(t);
  pnx_sasl_set_desired_state(t, SASL_POSTED_OUTCOME);
}
bool ProcessMechanisms(pn_transport_t*, const char*) { return false; }
void ProcessChallenge(pn_transport_t*, const pn_bytes_t*) {}
void ProcessOutcome(pn_transport_t*, const pn_bytes_t*) {}
bool CanEncrypt(pn_transport_t*) { return false; }
ssize_t MaxEncryptSize(pn_transport_t*) { return 0; }
ssize_t Encode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }
ssize_t Decode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }

const pnx_sasl_implementation kHubSasl = {
    Free,           List,          InitServer,   InitClient,     PrepareWrite,
    ProcessInit,    ProcessResponse, ProcessMechanisms, ProcessChallenge, ProcessOutcome,
    CanEncrypt,     MaxEncryptSize, Encode,       Decode};

}  // namespace

const char* MechanismName(AdapterLogin::Mechanism m) {
  switch (m) {
    case M::kPlain: return "PLAIN";
    case M::kExternal: return "EXTERNAL";
    case M::kAnonymous: return "ANONYMOUS";
  }
  return "?";
}

SaslServer* SaslServer::Install(pn_transport_t* t, uint64_t conn_id, Policy policy,
                                CheckPlain check) {
  auto* self = new SaslServer(conn_id, policy, std::move(check));
  pnx_sasl_set_implementation(t, &kHubSasl, self);
  return self;
}

const char* SaslServer::ListMechanisms(pn_transport_t* t) {
  const bool encrypted = pnx_sasl_is_transport_encrypted(t);
  mechanisms_.clear();
  if (encrypted && pnx_sasl_get_external_username(t) != nullptr) mechanisms_ += "EXTERNAL ";
  if (encrypted || policy_.allow_plain) mechanisms_ += "PLAIN ";
  if (policy_.allow_plain) mechanisms_ += "ANONYMOUS";
  while (!mechanisms_.empty() && mechanisms_.back() == ' ') mechanisms_.pop_back();
  return mechanisms_.c_str();
}

void SaslServer::ProcessInit(pn_transport_t* t, const char* mechanism, const pn_bytes_t* response) {
  if (started_) return Decide(t, std::nullopt, "a second sasl-init");
  started_ = true;
  const std::string_view mech = mechanism ? mechanism : "";
  const bool encrypted = pnx_sasl_is_transport_encrypted(t);
  if (mech == "EXTERNAL") {
    const char* subject = pnx_sasl_get_external_username(t);
    if (!encrypted || subject == nullptr) {
      return Decide(t, std::nullopt, "EXTERNAL without a client certificate");
    }
    // Whatever authzid the client sent is ignored: the certificate alone says who it is.
    if (policy_.config->FindAdapterByLogin(M::kExternal, subject) == nullptr) {
      return Decide(t, std::nullopt,
                    "EXTERNAL: no adapter has the certificate subject '" + LogSafe(subject, 200) + "'");
    }
    return Decide(t, SaslIdentity{M::kExternal, subject}, "");
  }
  if (mech == "PLAIN") return ProcessPlain(t, encrypted, response);
  if (mech == "ANONYMOUS" && policy_.allow_plain) return Decide(t, SaslIdentity{}, "");
  Decide(t, std::nullopt, "mechanism '" + LogSafe(mech) + "' is not offered");
}

void SaslServer::ProcessPlain(pn_transport_t* t, bool encrypted, const pn_bytes_t* response) {
  if (!encrypted && !policy_.allow_plain) {
    return Decide(t, std::nullopt, "PLAIN without TLS");
  }
  // authzid NUL authcid NUL password (RFC 4616)
  std::string message(response && response->start ? response->start : "",
                      response ? response->size : 0);
  const auto a = message.find('\0');
  const auto b = a == std::string::npos ? a : message.find('\0', a + 1);
  if (b == std::string::npos) {
    explicit_bzero(message.data(), message.size());
    return Decide(t, std::nullopt, "a malformed PLAIN response");
  }
  const std::string authzid = message.substr(0, a);
  std::string user = message.substr(a + 1, b - a - 1);
  std::string password = message.substr(b + 1);
  explicit_bzero(message.data(), message.size());
  if (!authzid.empty() && authzid != user) {
    explicit_bzero(password.data(), password.size());
    return Decide(t, std::nullopt, "PLAIN with an authorization id other than the user");
  }
  if (user.empty() || user.size() > kMaxUser) {
    explicit_bzero(password.data(), password.size());
    return Decide(t, std::nullopt, "PLAIN with an empty or over-long user name");
  }
  pending_user_ = user;
  pending_ = true;
  if (!check_(user, std::move(password))) {
    pending_ = false;
    return Decide(t, std::nullopt, UserText(user) + ": too many logins waiting for their check");
  }
  // No outcome yet: Proton waits (the open deadline bounds the wait) until PlainChecked. Until
  // then its SASL layer would read whatever the client pipelined behind sasl-init (its AMQP
  // header and open) as one more SASL frame: "AMQP" read as a frame size is larger than the
  // max frame size, a framing error. Without a max frame size that is an incomplete frame, and
  // the bytes wait. The connection reads nothing more from its socket meanwhile (WantsRead), so
  // what waits is bounded by one read.
  held_max_frame_ = pn_transport_get_max_frame(t);
  pn_transport_set_max_frame(t, 0);
}

void SaslServer::PlainChecked(pn_transport_t* t, bool ok) {
  if (!pending_) return;
  pending_ = false;
  pn_transport_set_max_frame(t, held_max_frame_);
  if (decided_) return;
  const std::string user = std::move(pending_user_);
  if (!ok) return Decide(t, std::nullopt, UserText(user) + ": wrong user or password");
  Decide(t, SaslIdentity{M::kPlain, user}, "");
  pn_transport_process(t, 0);
}

// A user name the config has is logged (escaped); any other is not: what a client types there
// may be a password pasted into the wrong field, or anything else a log must not hold.
std::string SaslServer::UserText(const std::string& user) const {
  if (policy_.config->FindAdapterByLogin(M::kPlain, user) != nullptr) {
    return "PLAIN user '" + LogSafe(user) + "'";
  }
  return "PLAIN with a user name no adapter has (not logged)";
}

void SaslServer::Decide(pn_transport_t* t, std::optional<SaslIdentity> identity,
                        const std::string& why) {
  if (decided_) return;
  decided_ = true;
  if (identity) {
    identity_ = std::move(identity);
    user_ = identity_->identity.empty() ? "anonymous" : identity_->identity;
    pnx_sasl_set_succeeded(t, user_.c_str(), user_.c_str());
    spdlog::debug("connection {}: SASL {} succeeded", conn_id_, MechanismName(identity_->mechanism));
  } else {
    pnx_sasl_set_failed(t);
    spdlog::warn("connection {}: SASL login refused: {}", conn_id_, why);
  }
  pnx_sasl_set_desired_state(t, SASL_POSTED_OUTCOME);
}

}  // namespace slussen
