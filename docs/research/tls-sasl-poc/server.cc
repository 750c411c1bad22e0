// PoC: an AMQP server driven by proton::io::connection_driver over plain sockets (poll loop),
// with TLS (Proton's pn_ssl via connection_options::ssl_server_options) and a hub-owned SASL
// implementation (sasl_plugin.h: pnx_sasl_set_implementation) that offers PLAIN (argon2id-checked
// on a worker thread, outcome sent later) and EXTERNAL (TLS client cert subject).
//
// usage: server PORT MODE
//   MODE = optional : TLS, no client cert requested            -> PLAIN only
//          require  : TLS, client cert required (VERIFY_PEER)  -> EXTERNAL and PLAIN
//          plain    : no TLS (as a loopback-only demo listener) -> ANONYMOUS only
//          cpp      : TLS through the C++ connection_options::ssl_server_options (evidence only)
//          hybrid   : TLS, client cert requested but optional (needs a HACK into Proton's private
//                     pn_ssl_domain_t, see LoadDomain) -> EXTERNAL if a cert was sent, PLAIN
// SIGHUP reloads pki/live-server.pem + pki/live-server-key.pem + pki/ca.pem for new connections.
#include <argon2.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/delivery.hpp>
#include <proton/io/connection_driver.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sasl.h>
#include <proton/sasl.hpp>
#include <proton/sasl_plugin.h>
#include <proton/ssl.h>
#include <proton/ssl.hpp>
#include <proton/transport.h>
#include <proton/transport.hpp>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace {

// ---- raw pointer out of the C++ wrapper (same trick as hub/amqp/proton_compat.cc) ----
struct TransportAccess : proton::transport {
  static pn_transport_t* Of(const proton::transport& t) {
    auto accessor = &TransportAccess::pn_object;
    return (t.*accessor)();
  }
};

// ---- "user database": argon2id encoded hashes (hashed at start-up for the PoC) ----
std::map<std::string, std::string> g_users;

std::string HashPassword(const std::string& pw) {
  unsigned char salt[16];
  for (auto& b : salt) b = static_cast<unsigned char>(rand());
  char encoded[256];
  // t=3, m=64 MiB, p=1: deliberately slow (~100 ms) to show the off-thread check.
  int rc = argon2id_hash_encoded(3, 1 << 16, 1, pw.data(), pw.size(), salt, sizeof salt, 32,
                                 encoded, sizeof encoded);
  if (rc != ARGON2_OK) throw std::runtime_error(argon2_error_message(rc));
  return encoded;
}

bool CheckPassword(const std::string& user, const std::string& pw) {
  auto it = g_users.find(user);
  // (a real hub would verify against a dummy hash too, so unknown users take as long)
  if (it == g_users.end()) return false;
  return argon2id_verify(it->second.c_str(), pw.data(), pw.size()) == ARGON2_OK;
}

// ---- the SASL implementation ----
struct SaslCtx {
  std::string user;                      // pointers handed to pnx_sasl_set_succeeded live here
  std::future<bool> pending;             // PLAIN check running on a worker thread
  std::string pending_user;
  std::chrono::steady_clock::time_point started;
};

SaslCtx* Ctx(pn_transport_t* t) { return static_cast<SaslCtx*>(pnx_sasl_get_context(t)); }

void S_free(pn_transport_t* t) { delete Ctx(t); }

const char* S_list(pn_transport_t* t) {
  const bool tls = pnx_sasl_is_transport_encrypted(t);
  if (!tls) return getenv("POC_INSECURE_PLAIN") ? "ANONYMOUS PLAIN" : "ANONYMOUS";  // plain demo listener
  return pnx_sasl_get_external_username(t) ? "EXTERNAL PLAIN" : "PLAIN";  // EXTERNAL only with a cert
}

bool S_init_server(pn_transport_t* t) {
  pnx_sasl_set_desired_state(t, SASL_POSTED_MECHANISMS);
  return true;
}
bool S_init_client(pn_transport_t*) { return false; }
void S_prepare_write(pn_transport_t*) {}

void Outcome(pn_transport_t* t, bool ok, const char* why) {
  SaslCtx* c = Ctx(t);
  if (ok) {
    pnx_sasl_set_succeeded(t, c->user.c_str(), c->user.c_str());
  } else {
    pnx_sasl_set_failed(t);
  }
  fprintf(stderr, "[server] sasl %s: %s\n", ok ? "OK" : "FAILED", why);
  pnx_sasl_set_desired_state(t, SASL_POSTED_OUTCOME);
}

void S_process_init(pn_transport_t* t, const char* mech, const pn_bytes_t* recv) {
  SaslCtx* c = Ctx(t);
  const bool tls = pnx_sasl_is_transport_encrypted(t);
  if (strcmp(mech, "EXTERNAL") == 0) {
    const char* subject = pnx_sasl_get_external_username(t);
    if (!tls || !subject) return Outcome(t, false, "EXTERNAL without a client certificate");
    // The client may send an authzid; we ignore it (the default impl would adopt it blindly).
    c->user = subject;
    return Outcome(t, true, ("EXTERNAL subject '" + c->user + "'").c_str());
  }
  if (strcmp(mech, "PLAIN") == 0) {
    if (!tls && !getenv("POC_INSECURE_PLAIN")) return Outcome(t, false, "PLAIN without TLS");
    // authzid \0 authcid \0 passwd
    std::string msg(recv->start, recv->size);
    size_t a = msg.find('\0');
    size_t b = a == std::string::npos ? a : msg.find('\0', a + 1);
    if (b == std::string::npos) return Outcome(t, false, "malformed PLAIN response");
    std::string authzid = msg.substr(0, a), user = msg.substr(a + 1, b - a - 1);
    std::string password = msg.substr(b + 1);
    explicit_bzero(msg.data(), msg.size());
    if (!authzid.empty() && authzid != user) return Outcome(t, false, "authzid != authcid");
    c->pending_user = user;
    c->started = std::chrono::steady_clock::now();
    // Off the socket thread: the outcome is sent when the future is ready (see Poll()).
    c->pending = std::async(std::launch::async, [user, password]() mutable {
      bool ok = CheckPassword(user, password);
      explicit_bzero(password.data(), password.size());
      return ok;
    });
    fprintf(stderr, "[server] PLAIN for '%s': checking on a worker thread, outcome deferred\n",
            user.c_str());
    return;  // no outcome yet: Proton keeps waiting (desired state stays POSTED_MECHANISMS)
  }
  if (strcmp(mech, "ANONYMOUS") == 0 && !tls) {
    c->user = "anonymous";
    return Outcome(t, true, "ANONYMOUS on the plain demo listener");
  }
  Outcome(t, false, "mechanism not offered");
}

void S_process_response(pn_transport_t*, const pn_bytes_t*) {}
bool S_process_mechanisms(pn_transport_t*, const char*) { return false; }
void S_process_challenge(pn_transport_t*, const pn_bytes_t*) {}
void S_process_outcome(pn_transport_t*, const pn_bytes_t*) {}
bool S_can_encrypt(pn_transport_t*) { return false; }
ssize_t S_max_encrypt(pn_transport_t*) { return 0; }
ssize_t S_encode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }
ssize_t S_decode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }

const pnx_sasl_implementation kHubSasl = {
    S_free,        S_list,           S_init_server,  S_init_client,       S_prepare_write,
    S_process_init, S_process_response, S_process_mechanisms, S_process_challenge,
    S_process_outcome, S_can_encrypt, S_max_encrypt, S_encode, S_decode};

// Called by the loop: completes a PLAIN check whose worker has finished. Returns true if it
// just succeeded (the caller then re-runs buffered input, see main()).
bool PollSasl(pn_transport_t* t) {
  SaslCtx* c = Ctx(t);
  if (!c || !c->pending.valid()) return false;
  if (c->pending.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  const bool ok = c->pending.get();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - c->started).count();
  c->user = c->pending_user;
  Outcome(t, ok, ("PLAIN user '" + c->user + "' (argon2id verify took " + std::to_string(ms) +
                  " ms)").c_str());
  return ok;
}

// ---- TLS configuration generations ----
std::string g_mode;
std::atomic<bool> g_reload{false};
int g_generation = 0;
// The C++ ssl_server_options hides its pn_ssl_domain_t; for TLS 1.2+ we build the domain with
// the C API instead and call pn_ssl_init ourselves (see TlsDomain below).
struct TlsDomain {
  pn_ssl_domain_t* d = nullptr;
  int generation = 0;
  ~TlsDomain() { if (d) pn_ssl_domain_free(d); }
};
std::shared_ptr<TlsDomain> g_domain;

std::shared_ptr<TlsDomain> LoadDomain() {
  auto td = std::make_shared<TlsDomain>();
  td->d = pn_ssl_domain(PN_SSL_MODE_SERVER);
  if (!td->d) throw std::runtime_error("pn_ssl_domain failed (no TLS support?)");
  if (pn_ssl_domain_set_credentials(td->d, "pki/live-server.pem", "pki/live-server-key.pem", nullptr))
    throw std::runtime_error("pn_ssl_domain_set_credentials failed");
  if (pn_ssl_domain_set_trusted_ca_db(td->d, "pki/ca.pem"))
    throw std::runtime_error("pn_ssl_domain_set_trusted_ca_db failed");
  if ((g_mode == "require" || g_mode == "hybrid") &&
      pn_ssl_domain_set_peer_authentication(td->d, PN_SSL_VERIFY_PEER, "pki/ca.pem"))
    throw std::runtime_error("pn_ssl_domain_set_peer_authentication failed");
  if (g_mode == "hybrid") {
    // HACK (evidence only): Proton has no "ask for a client certificate but do not require one"
    // mode. pn_ssl_domain_t is private, but in 0.37's openssl.c its first member is the SSL_CTX*.
    // Dropping SSL_VERIFY_FAIL_IF_NO_PEER_CERT keeps verification of any certificate presented.
    SSL_CTX* ctx = *reinterpret_cast<SSL_CTX**>(td->d);
    // Guard: what set_peer_authentication(PN_SSL_VERIFY_PEER) must have left in a real SSL_CTX.
    if (SSL_CTX_get_verify_mode(ctx) != (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT))
      throw std::runtime_error("pn_ssl_domain_t layout is not what the hybrid hack expects");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, SSL_CTX_get_verify_callback(ctx));
  }
  // Evidence switches: POC_NO_PROTOCOLS skips the TLS 1.2+ restriction, POC_CIPHERS sets a
  // cipher list (e.g. "HIGH:!aNULL:!eNULL:@SECLEVEL=2", which also restores the security level
  // that Proton's default server mode PN_SSL_ANONYMOUS_PEER lowers to 0).
  if (const char* ciphers = getenv("POC_CIPHERS"); ciphers && pn_ssl_domain_set_ciphers(td->d, ciphers))
    throw std::runtime_error("pn_ssl_domain_set_ciphers failed");
  if (!getenv("POC_NO_PROTOCOLS") && pn_ssl_domain_set_protocols(td->d, "TLSv1.2 TLSv1.3"))
    throw std::runtime_error("pn_ssl_domain_set_protocols failed");
  td->generation = ++g_generation;
  return td;
}

// ---- one connection ----
class Conn : public proton::messaging_handler {
 public:
  proton::io::connection_driver driver{"poc-server"};
  int fd;
  int id;
  std::shared_ptr<TlsDomain> tls_gen;  // only to log which generation this connection got
  int gen = 0;

  Conn(int fd_, int id_) : fd(fd_), id(id_) {}

  void Start() {
    proton::connection_options o;
    o.handler(*this);
    o.sasl_enabled(true);
    if (g_mode == "cpp") {
      // The C++ route (evidence only): ssl_server_options in the options given to accept() ->
      // apply_unbound_server -> pn_ssl_init. No way to reach set_protocols/set_ciphers here.
      o.ssl_server_options(proton::ssl_server_options(
          proton::ssl_certificate("pki/live-server.pem", "pki/live-server-key.pem")));
    }
    driver.accept(o);  // creates pn_sasl (C++ apply_sasl); and pn_ssl in "cpp" mode
    pn_transport_t* t = TransportAccess::Of(driver.transport());
    if (g_mode != "plain" && g_mode != "cpp") {
      tls_gen = g_domain;
      // The layer set-up happens on the first I/O, so this is still in time after accept().
      if (pn_ssl_init(pn_ssl(t), tls_gen->d, nullptr)) throw std::runtime_error("pn_ssl_init");
      gen = tls_gen->generation;
      // POC_DROP_GEN=1: do not keep the domain alive; shows that pn_ssl_init's SSL object is
      // self-sufficient once created (run under ASan: no use-after-free after a reload).
      if (getenv("POC_DROP_GEN")) tls_gen.reset();
    }
    pn_transport_require_auth(t, true);  // a bare AMQP header (no SASL) is refused
    pnx_sasl_set_implementation(t, &kHubSasl, new SaslCtx);
  }

  void on_connection_open(proton::connection& c) override {
    proton::transport tr = driver.transport();
    pn_transport_t* t = TransportAccess::Of(tr);
    char proto[64] = "", cipher[64] = "";
    pn_ssl_get_protocol_name(pn_ssl(t), proto, sizeof proto);
    pn_ssl_get_cipher_name(pn_ssl(t), cipher, sizeof cipher);
    std::cerr << "[server] conn " << id << " OPEN: user='" << c.user() << "' mech='"
              << tr.sasl().mech() << "' authenticated=" << pn_transport_is_authenticated(t)
              << " encrypted=" << pn_transport_is_encrypted(t) << " tls=" << proto << "/" << cipher
              << " gen=" << gen << " subject='"
              << (g_mode == "plain" ? "" : tr.ssl().remote_subject()) << "'\n";
    c.open();
  }
  void on_receiver_open(proton::receiver& r) override {
    r.open(proton::receiver_options().credit_window(10));
  }
  void on_message(proton::delivery& d, proton::message& m) override {
    std::cerr << "[server] conn " << id << " message: " << m.body() << "\n";
  }
  void on_transport_error(proton::transport& t) override {
    std::cerr << "[server] conn " << id << " transport error: " << t.error().name() << ": "
              << t.error().description() << "\n";
  }
  void on_transport_close(proton::transport&) override {
    std::cerr << "[server] conn " << id << " transport closed\n";
  }
  void on_error(const proton::error_condition& e) override {
    std::cerr << "[server] conn " << id << " error: " << e.name() << "\n";
  }
};

void OnHup(int) { g_reload = true; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: server PORT optional|require|plain\n");
    return 2;
  }
  setvbuf(stderr, nullptr, _IOLBF, 0);
  int port = atoi(argv[1]);
  g_mode = argv[2];
  g_users["adapter-kommun-1380"] = HashPassword("s3cret");
  fprintf(stderr, "[server] pn_ssl_present()=%d\n", pn_ssl_present());
  if (g_mode != "plain" && g_mode != "cpp") g_domain = LoadDomain();
  signal(SIGHUP, OnHup);
  signal(SIGPIPE, SIG_IGN);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (sockaddr*)&a, sizeof a) || listen(lfd, 16)) {
    perror("bind/listen");
    return 1;
  }
  fprintf(stderr, "[server] listening on 127.0.0.1:%d mode=%s\n", port, g_mode.c_str());

  std::map<int, std::unique_ptr<Conn>> conns;
  int next_id = 1;
  while (true) {
    if (g_reload.exchange(false) && g_mode != "plain" && g_mode != "cpp") {
      try {
        g_domain = LoadDomain();  // new connections only; old ones keep their SSL objects
        fprintf(stderr, "[server] SIGHUP: TLS reloaded, generation %d\n", g_domain->generation);
      } catch (const std::exception& e) {
        fprintf(stderr, "[server] SIGHUP: reload failed, keeping the old one: %s\n", e.what());
      }
    }
    std::vector<pollfd> pfds{{lfd, POLLIN, 0}};
    bool any_pending = false;
    for (auto& [fd, c] : conns) {
      short ev = 0;
      if (c->driver.read_buffer().size) ev |= POLLIN;
      if (c->driver.write_buffer().size) ev |= POLLOUT;
      pfds.push_back({fd, ev, 0});
      SaslCtx* sc = Ctx(TransportAccess::Of(c->driver.transport()));
      if (sc && sc->pending.valid()) any_pending = true;
    }
    int n = poll(pfds.data(), pfds.size(), any_pending ? 5 : 1000);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && (pfds[0].revents & POLLIN)) {
      int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        auto c = std::make_unique<Conn>(fd, next_id++);
        c->Start();
        conns[fd] = std::move(c);
      }
    }
    for (size_t i = 1; i < pfds.size(); ++i) {
      Conn& c = *conns[pfds[i].fd];
      if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        auto buf = c.driver.read_buffer();
        ssize_t r = buf.size ? read(c.fd, buf.data, buf.size) : 0;
        if (r > 0) c.driver.read_done(r);
        else if (r == 0 || errno != EAGAIN) c.driver.read_close();
      }
    }
    for (auto& [fd, c] : conns) {
      pn_transport_t* t = TransportAccess::Of(c->driver.transport());
      if (PollSasl(t) && !getenv("POC_NO_REPROCESS")) {
        // Input the peer pipelined behind its sasl-init (AMQP header, open, ...) sits unconsumed
        // in the transport while the outcome is pending; read_done(0) is a no-op, so re-run the
        // input layers explicitly or the connection stalls until the peer sends more bytes.
        pn_transport_process(t, 0);
      }
      c->driver.dispatch();
      while (true) {
        auto w = c->driver.write_buffer();
        if (!w.size) break;
        ssize_t r = send(fd, w.data, w.size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) {
          c->driver.write_done(r);
          c->driver.dispatch();
        } else {
          if (r < 0 && errno != EAGAIN) c->driver.write_close();
          break;
        }
      }
      c->driver.dispatch();
    }
    for (auto it = conns.begin(); it != conns.end();) {
      if (!it->second->driver.dispatch()) {
        close(it->first);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
  }
}
