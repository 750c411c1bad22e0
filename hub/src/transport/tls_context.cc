#include "transport/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "common/secret_file.h"

namespace slussen {
namespace {

// The key file holds the hub's private key: checked with the rule every secret file of the hub
// follows (common/secret_file.h: a regular file, not readable by group or others), then wiped.
Status CheckKeyFile(const std::string& path) {
  auto key = ReadSecretFile(path, 1 << 20);
  if (!key) return Error{"TLS key file " + path + ": " + key.error()};
  std::fill(key->begin(), key->end(), '\0');
  return OkStatus();
}

Status Readable(const char* what, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    return Error{std::string("TLS ") + what + " file " + path + ": cannot be read"};
  }
  return OkStatus();
}

// Proton reports its OpenSSL errors only to its own logger; the queue still has the reason.
std::string OpenSslReason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(" (") + buf + ")";
}

// Proton can require a client certificate from every client or ask for none; "optional" (asked
// for, verified if shown, PLAIN for clients without one) needs SSL_VERIFY_PEER without
// SSL_VERIFY_FAIL_IF_NO_PEER_CERT. pn_ssl_domain_t is private, but in Proton 0.37's openssl.c its
// first member is the SSL_CTX*. The guard checks that what we reach there is the SSL_CTX that
// pn_ssl_domain_set_peer_authentication(PN_SSL_VERIFY_PEER) has just configured; if Proton's
// layout ever changes, the hub refuses to start instead of running with an unknown verify mode
// (and the integration tests for unknown and expired certificates would fail).
Status MakeClientCertificateOptional(pn_ssl_domain_t* domain) {
  SSL_CTX* ctx = *reinterpret_cast<SSL_CTX**>(domain);
  if (ctx == nullptr ||
      SSL_CTX_get_verify_mode(ctx) != (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) ||
      SSL_CTX_get_verify_callback(ctx) == nullptr) {
    return Error{"client-certificates=\"optional\" is not possible with this Proton library (its "
                 "private SSL domain layout is not the one the hub knows); use \"required\" or "
                 "\"none\""};
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, SSL_CTX_get_verify_callback(ctx));
  return OkStatus();
}

}  // namespace

TlsContext::~TlsContext() {
  if (domain != nullptr) pn_ssl_domain_free(domain);
}

Result<std::shared_ptr<const TlsContext>> LoadTls(const TlsConfig& tls, bool allow_plain,
                                                  uint64_t generation) {
  if (auto s = Readable("certificate", tls.certificate_path); !s.ok()) return s.as_error();
  if (auto s = CheckKeyFile(tls.key_path); !s.ok()) return s.as_error();
  if (auto s = Readable("CA", tls.ca_path); !s.ok()) return s.as_error();
  auto ctx = std::make_shared<TlsContext>();
  ctx->generation = generation;
  ctx->domain = pn_ssl_domain(PN_SSL_MODE_SERVER);
  if (ctx->domain == nullptr) return Error{"TLS: this Proton library has no TLS support"};
  ERR_clear_error();
  if (pn_ssl_domain_set_credentials(ctx->domain, tls.certificate_path.c_str(),
                                    tls.key_path.c_str(), nullptr) != 0) {
    return Error{"TLS certificate " + tls.certificate_path + " and key " + tls.key_path +
                 ": not a PEM certificate chain and its private key" + OpenSslReason()};
  }
  if (pn_ssl_domain_set_trusted_ca_db(ctx->domain, tls.ca_path.c_str()) != 0) {
    return Error{"TLS CA file " + tls.ca_path + ": not PEM certificates" + OpenSslReason()};
  }
  using CC = TlsConfig::ClientCertificates;
  if (tls.client_certificates != CC::kNone) {
    if (pn_ssl_domain_set_peer_authentication(ctx->domain, PN_SSL_VERIFY_PEER,
                                              tls.ca_path.c_str()) != 0) {
      return Error{"TLS CA file " + tls.ca_path + ": cannot be used to verify client "
                   "certificates" + OpenSslReason()};
    }
    if (tls.client_certificates == CC::kOptional) {
      if (auto s = MakeClientCertificateOptional(ctx->domain); !s.ok()) return s.as_error();
    }
  }
  // The cipher list also restores the OpenSSL security level, which Proton lowers to 0 for a
  // server domain that does not verify clients.
  if (pn_ssl_domain_set_ciphers(ctx->domain, tls.ciphers.c_str()) != 0) {
    return Error{"TLS ciphers '" + tls.ciphers + "': not an OpenSSL cipher list" + OpenSslReason()};
  }
  if (pn_ssl_domain_set_protocols(ctx->domain, tls.protocols.c_str()) != 0) {
    return Error{"TLS protocols '" + tls.protocols + "': not accepted" + OpenSslReason()};
  }
  if (allow_plain && pn_ssl_domain_allow_unsecured_client(ctx->domain) != 0) {
    return Error{"TLS: cannot also accept unencrypted clients (plain=\"allow\")"};
  }
  return std::shared_ptr<const TlsContext>(std::move(ctx));
}

}  // namespace slussen
