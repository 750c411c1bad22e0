// The socket loop's part in SASL (sasl_server.h): what each connection's security is, and the
// PLAIN checks, their bounds and the slow-down of failed logins per peer address.
#include "transport/socket_loop.h"

#include <spdlog/spdlog.h>
#include <string.h>

namespace slussen {
namespace {

// PLAIN checks waiting from one address at most; beyond, its logins fail at once.
constexpr int kMaxChecksPerPeer = 4;

}  // namespace

AmqpConnection::Security SocketLoop::SecurityFor(uint64_t id, const std::string& peer) {
  AmqpConnection::Security security;
  security.tls = tls_.get();
  security.sasl_policy = {config_.amqp_allow_plain, &config_};
  security.require_auth = require_auth_;
  security.check_plain = [this, id, peer](const std::string& user, std::string password) {
    return CheckPlain(id, peer, user, std::move(password));
  };
  return security;
}

bool SocketLoop::CheckPlain(uint64_t id, const std::string& peer, const std::string& user,
                            std::string password) {
  int& waiting = checks_per_peer_[peer];
  if (waiting >= kMaxChecksPerPeer) {
    if (waiting == 0) checks_per_peer_.erase(peer);
    return false;
  }
  // Past its limit an address gets its failure after the delay, without the argon2 work.
  bool taken = false;
  if (throttle_.Saturated(peer, NowMs())) {
    explicit_bzero(password.data(), password.size());
    inbox_.Push(PlainCheckedCommand{id, false});
    taken = true;
  } else {
    std::string hash;
    if (const AdapterConfig* a = config_.FindAdapterByLogin(AdapterLogin::Mechanism::kPlain, user)) {
      for (const auto& login : a->logins) {
        if (login.mechanism == AdapterLogin::Mechanism::kPlain && login.user == user) {
          hash = login.password_hash;
        }
      }
    }
    taken = passwords_.Submit(id, std::move(hash), std::move(password));
  }
  if (!taken) {
    if (waiting == 0) checks_per_peer_.erase(peer);
    return false;
  }
  ++waiting;
  check_peer_[id] = peer;
  return true;
}

void SocketLoop::PlainChecked(uint64_t id, bool ok, std::set<uint64_t>& touched) {
  const auto p = check_peer_.find(id);
  if (p == check_peer_.end()) return;
  const std::string peer = std::move(p->second);
  check_peer_.erase(p);
  if (auto w = checks_per_peer_.find(peer); w != checks_per_peer_.end() && --w->second <= 0) {
    checks_per_peer_.erase(w);
  }
  const int64_t now = NowMs();
  int64_t at = now;
  if (ok) {
    throttle_.Succeeded(peer);
  } else {
    const int64_t delay = throttle_.Failed(peer, now);
    at = now + delay;
    spdlog::warn("amqp: failed login from {} ({} failure(s) from there; its outcome is held back "
                 "{} ms)", peer, throttle_.Failures(peer, now), delay);
  }
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;  // the peer has gone; the failure still counted
  it->second.amqp->PlainChecked(ok, at);
  touched.insert(id);
}

}  // namespace slussen
