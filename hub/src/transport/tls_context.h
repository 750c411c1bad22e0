#pragma once
// TLS on the AMQP listener: one Proton server domain (an OpenSSL SSL_CTX) per generation of the
// configured certificate, key and CA. Built through Proton's C API, because the C++
// ssl_server_options can set neither the protocol versions (Proton's default server domain
// accepts TLS 1.0) nor the cipher list. A connection takes its SSL object from the generation
// current when it was accepted, and that object keeps its own reference to the SSL_CTX, so a
// reload (SIGHUP) affects new connections only and the old generation may be freed at once.
// See hub/DESIGN.md "Security: TLS and SASL".
#include <proton/ssl.h>

#include <cstdint>
#include <memory>

#include "common/result.h"
#include "config/config.h"

namespace slussen {

struct TlsContext {
  pn_ssl_domain_t* domain = nullptr;
  uint64_t generation = 0;  // 1 at start, +1 per successful reload: for the log

  TlsContext() = default;
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
};

// Reads the files of `tls` and builds a server domain: TLS `tls.protocols` only (never below
// 1.2), `tls.ciphers`, client certificates as configured (optional: asked for and, if shown,
// verified against `tls.ca_path`; see the guard in tls_context.cc), and unencrypted clients
// accepted too only if `allow_plain`. The key file must not be readable by group or others.
// Any thread; the error names the file and what is wrong with it.
Result<std::shared_ptr<const TlsContext>> LoadTls(const TlsConfig& tls, bool allow_plain,
                                                  uint64_t generation);

}  // namespace slussen
