#include "runtime/hub_connection_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "xml/quantities.h"

namespace slussen::adapter {
namespace {

// A secret file: readable, small, and not readable by group or others (as ssh insists for keys).
std::optional<std::string> ReadSecret(const std::string& path, std::string* why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    *why = "not a regular file";
    return std::nullopt;
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    *why = "readable by group or others (chmod 600 it)";
    return std::nullopt;
  }
  std::string text;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() <= 4096) {
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (n < 0 || text.size() > 4096) {
    *why = n < 0 ? std::strerror(errno) : "larger than 4 KiB";
    return std::nullopt;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

HubConnectionConfig ReadHubConnection(const xmlNode* hub, std::string_view ns,
                                      xml::Diagnostics& diag) {
  HubConnectionConfig c;
  if (hub == nullptr) return c;
  c.url = xml::AttrOr(hub, "url", c.url);
  c.container_id = xml::AttrOr(hub, "container-id");
  config::DurationAttr(hub, "idle-timeout", c.idle_timeout, diag);
  c.max_queued = static_cast<int>(xml::NumberAttr(hub, "max-queued", 1000, diag));
  if (const xmlNode* r = xml::Child(hub, ns, "reconnect")) {
    config::DurationAttr(r, "initial-delay", c.reconnect_initial, diag);
    config::DurationAttr(r, "max-delay", c.reconnect_max, diag);
    if (c.reconnect_max < c.reconnect_initial) {
      diag.Add(r, "max-delay must not be shorter than initial-delay");
    }
  }
  if (const xmlNode* t = xml::Child(hub, ns, "tls")) {
    c.tls = HubConnectionConfig::Tls{xml::AttrOr(t, "ca"), xml::AttrOr(t, "cert"),
                                     xml::AttrOr(t, "key")};
    if (c.tls->cert.empty() != c.tls->key.empty()) {
      diag.Add(t, "cert and key come together: give both or neither");
    }
  }
  if (const xmlNode* s = xml::Child(hub, ns, "sasl")) {
    HubConnectionConfig::Sasl sasl;
    sasl.mechanism = xml::AttrOr(s, "mechanism");
    sasl.user = xml::AttrOr(s, "user");
    if (auto file = xml::Attr(s, "password-file")) {
      std::string why;
      if (auto secret = ReadSecret(*file, &why)) {
        sasl.password = std::move(*secret);
      } else {
        diag.Add(s, "password-file '" + *file + "': " + why);
      }
    }
    if (sasl.mechanism == "PLAIN" && (sasl.user.empty() || sasl.password.empty())) {
      diag.Add(s, "mechanism PLAIN needs user and password-file");
    }
    if (sasl.mechanism == "EXTERNAL" && (!c.tls || c.tls->cert.empty())) {
      diag.Add(s, "mechanism EXTERNAL needs <tls> with cert and key (the certificate is the identity)");
    }
    c.sasl = std::move(sasl);
  }
  return c;
}

}  // namespace slussen::adapter
