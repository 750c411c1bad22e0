#include "adapters/municipality/http_poster.h"

#include <httplib.h>

namespace slussen::municipality {
namespace {

std::string ErrorText(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "connection failed (refused or unreachable)";
    case httplib::Error::Read:
      return "read failed or timed out";
    case httplib::Error::Write:
      return "write failed or timed out";
    case httplib::Error::ConnectionTimeout:
      return "connect timed out";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
      return "TLS certificates could not be loaded";
    case httplib::Error::SSLServerVerification:
      return "the system's TLS certificate is not trusted";
    case httplib::Error::Canceled:
      return "canceled";
    default:
      return "HTTP client error " + httplib::to_string(e);
  }
}

template <class D>
std::pair<time_t, time_t> SecUsec(D d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return {static_cast<time_t>(us / 1000000), static_cast<time_t>(us % 1000000)};
}

}  // namespace

HttpPoster::HttpPoster(const MunicipalityConfig& config) : path_(config.system.path) {
  const std::string base = config.system.SchemeHostPort();
  client_ = config.tls_cert.empty()
                ? std::make_unique<httplib::Client>(base)
                : std::make_unique<httplib::Client>(base, config.tls_cert, config.tls_key);
  if (config.system.https) {
    if (!config.tls_ca.empty()) client_->set_ca_cert_path(config.tls_ca);
    client_->enable_server_certificate_verification(true);
  }
  const auto [cs, cu] = SecUsec(config.connect_timeout);
  client_->set_connection_timeout(cs, cu);
  const auto [ts, tu] = SecUsec(config.timeout);
  client_->set_read_timeout(ts, tu);
  client_->set_write_timeout(ts, tu);
  client_->set_keep_alive(true);
  client_->set_follow_location(false);
}

HttpPoster::~HttpPoster() = default;

PostResult HttpPoster::Post(const std::string& document, const std::string& event_id) {
  PostResult out;
  httplib::Request req;
  req.method = "POST";
  req.path = path_;
  req.body = document;
  req.set_header("Content-Type", "application/xml; charset=utf-8");
  req.set_header("X-Slussen-Event-Id", event_id);
  // Bounded, whatever the system sends: the rest is read and dropped.
  req.content_receiver = [&out](const char* data, size_t n, uint64_t, uint64_t) {
    if (out.body.size() < kMaxKeptBody) {
      out.body.append(data, std::min(n, kMaxKeptBody - out.body.size()));
    }
    return true;
  };
  auto res = client_->send(req);
  if (!res) {
    out.transport_error = ErrorText(res.error());
    out.body.clear();
    return out;
  }
  out.status = res->status;
  return out;
}

void HttpPoster::Abort() { client_->stop(); }

}  // namespace slussen::municipality
