#pragma once
// POSTs documents to the municipal system: one keep-alive connection, for one worker thread (an
// httplib client takes one request at a time). TLS with the configured CA and client
// certificate; bounded connect, read and write times; at most kMaxKeptBody bytes of a response
// kept, however much the system sends.
#include <memory>
#include <string>

#include "adapters/municipality/municipality_config.h"
#include "adapters/municipality/outcome.h"

namespace httplib {
class Client;
}

namespace slussen::municipality {

class HttpPoster {
 public:
  explicit HttpPoster(const MunicipalityConfig& config);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // The document as application/xml to the configured URL; the result as the client saw it.
  PostResult Post(const std::string& document, const std::string& event_id);
  // From another thread: ends a request in progress (it fails as a transport error).
  void Abort();

 private:
  std::string path_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace slussen::municipality
