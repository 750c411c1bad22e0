// PoC client: proton::container with ssl_client_options and SASL user/password (PLAIN) or a
// client certificate (EXTERNAL). Sends one message, prints what happened, exits 0 on success.
//
// usage: client PORT MECH [USER PASSWORD] [--cert NAME] [--no-tls] [--hold SECONDS]
//   MECH: PLAIN | EXTERNAL | ANONYMOUS ; --cert NAME uses pki/NAME.pem + pki/NAME-key.pem
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/sender.hpp>
#include <proton/ssl.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

class Client : public proton::messaging_handler {
 public:
  std::string url, mech, user, password, cert;
  bool tls = true;
  int hold = 0;
  int rc = 1;

  void on_container_start(proton::container& c) override {
    proton::connection_options o;
    o.sasl_allowed_mechs(mech);
    if (!user.empty()) o.user(user).password(password);
    if (tls) {
      if (cert.empty()) {
        o.ssl_client_options(proton::ssl_client_options("pki/ca.pem", proton::ssl::VERIFY_PEER_NAME));
      } else {
        o.ssl_client_options(proton::ssl_client_options(
            proton::ssl_certificate("pki/" + cert + ".pem", "pki/" + cert + "-key.pem"), "pki/ca.pem",
            proton::ssl::VERIFY_PEER_NAME));
      }
    } else {
      o.sasl_allow_insecure_mechs(true);
    }
    o.virtual_host("localhost");
    c.open_sender(url + "/events", o);
  }
  void on_connection_open(proton::connection& c) override {
    std::cout << "[client] connection open (authenticated as far as the client knows), "
              << "server subject seen: '"
              << (tls ? c.transport().ssl().remote_subject() : std::string("-")) << "'\n";
  }
  void on_sendable(proton::sender& s) override {
    if (sent_) return;
    sent_ = true;
    if (hold > 0) {
      std::cout << "[client] holding the connection open for " << hold << " s\n";
      std::this_thread::sleep_for(std::chrono::seconds(hold));  // crude, fine for a PoC
    }
    s.send(proton::message("hello from " + (user.empty() ? cert : user)));
  }
  void on_tracker_accept(proton::tracker& t) override {
    std::cout << "[client] message accepted\n";
    rc = 0;
    t.connection().close();
  }
  void on_tracker_settle(proton::tracker& t) override {
    if (rc) t.connection().close();
  }
  void on_transport_error(proton::transport& t) override {
    std::cout << "[client] transport error: " << t.error().name() << ": " << t.error().description()
              << "\n";
  }
  void on_error(const proton::error_condition& e) override {
    std::cout << "[client] error: " << e.name() << ": " << e.description() << "\n";
  }

 private:
  bool sent_ = false;
};

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: client PORT MECH [USER PASSWORD] [--cert NAME] [--no-tls] [--hold S]\n";
    return 2;
  }
  Client h;
  h.url = std::string("amqp://localhost:") + argv[1];
  h.mech = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--cert") h.cert = argv[++i];
    else if (a == "--no-tls") h.tls = false;
    else if (a == "--hold") h.hold = std::stoi(argv[++i]);
    else if (h.user.empty()) h.user = a;
    else h.password = a;
  }
  proton::container(h).run();
  std::cout << "[client] exit " << h.rc << "\n";
  return h.rc;
}
