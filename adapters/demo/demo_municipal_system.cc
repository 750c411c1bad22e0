// slussen-demo-municipal-system: plays a municipality's (or a vårdcentral's) own system for the
// demo, the way Lifecare, Treserva or Combine stand behind slussen-municipality: an HTTP server
// that takes each discharge-planning document as XML, checks it against the schema, files it, and
// a moment later posts its own receipt (kvittens) back to the adapter's receipt endpoint.
//
//   slussen-demo-municipal-system --listen HOST:PORT --receipt-url URL --name NAME
//                                 --hsa-id HSA [--inbox DIR] [--receipt-delay-ms MS]
//
// Prints "slussen-demo-municipal-system ready http=HOST:PORT" when it listens, then one line per
// document and receipt (event ids and kinds only). Runs until SIGTERM.
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "demo_args.h"
#include "slussen/v1/events.pb.h"
#include "wire/uuid_v4.h"
#include "xmldoc/xmldoc.h"

namespace {

struct Pending {
  std::chrono::steady_clock::time_point due;
  slussen::v1::Envelope document;
};

}  // namespace

int main(int argc, char** argv) {
  slussen::demo::Args args(
      {"--listen", "--receipt-url", "--name", "--hsa-id", "--inbox", "--receipt-delay-ms"}, {});
  std::string error;
  if (!args.Parse(argc, argv, &error) || !args.Has("--listen") || !args.Has("--receipt-url") ||
      !args.Has("--hsa-id")) {
    std::fprintf(stderr,
                 "slussen-demo-municipal-system: %s\nusage: slussen-demo-municipal-system --listen "
                 "HOST:PORT --receipt-url URL --hsa-id HSA [--name NAME] [--inbox DIR] "
                 "[--receipt-delay-ms MS]\n",
                 error.empty() ? "--listen, --receipt-url and --hsa-id are required"
                               : error.c_str());
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  const std::string name = args.Get("--name", "municipal system");
  const std::string hsa_id = args.Get("--hsa-id");
  const std::string inbox = args.Get("--inbox");
  long delay_ms = 1000;
  if (!args.GetCount("--receipt-delay-ms", 1000, &delay_ms, &error)) {
    std::fprintf(stderr, "slussen-demo-municipal-system: %s\n", error.c_str());
    return 2;
  }
  // "http://127.0.0.1:8091/kvittens" -> client for the origin, and the path.
  const std::string url = args.Get("--receipt-url");
  const auto path_at = url.find('/', url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  const std::string origin = url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Pending> receipts;
  std::atomic<bool> stopping{false};
  int documents = 0;

  httplib::Server server;
  server.set_payload_max_length(1 << 20);
  server.Post(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    auto doc = slussen::xmldoc::ReadDocument(req.body, "POST " + req.path);
    if (!doc) {
      res.status = 400;
      res.set_content(doc.error(), "text/plain; charset=utf-8");
      std::printf("%s: refused a document: not valid against the schema\n", name.c_str());
      std::fflush(stdout);
      return;
    }
    if (!inbox.empty()) {
      std::ofstream(inbox + "/" + doc->event_id() + ".xml") << req.body;
    }
    res.status = 200;
    std::lock_guard lock(mu);
    ++documents;
    std::printf("%s: filed document %s\n", name.c_str(), doc->event_id().c_str());
    std::fflush(stdout);
    receipts.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms),
                        std::move(*doc)});
    cv.notify_all();
  });

  // Receipts go back a moment after filing, as a case worker's system acknowledges.
  std::thread sender([&] {
    httplib::Client client(origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(30);
    std::unique_lock lock(mu);
    while (!stopping) {
      if (receipts.empty()) {
        cv.wait(lock);
        continue;
      }
      if (std::chrono::steady_clock::now() < receipts.front().due) {
        cv.wait_until(lock, receipts.front().due);
        continue;
      }
      Pending p = std::move(receipts.front());
      receipts.pop_front();
      lock.unlock();
      slussen::v1::Envelope receipt;
      receipt.set_event_id(slussen::RandomUuidV4());
      *receipt.mutable_case_id() = p.document.case_id();
      *receipt.mutable_patient() = p.document.patient();
      receipt.set_sender_hsa_id(hsa_id);
      receipt.set_schema_version(1);
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
      receipt.mutable_occurred_at()->set_seconds(secs);
      auto* r = receipt.mutable_receipt();
      r->set_acknowledged_event_id(p.document.event_id());
      r->set_external_ack_id("KV-" + p.document.event_id().substr(0, 8));
      r->mutable_received_at()->set_seconds(secs);
      auto xml = slussen::xmldoc::WriteDocument(receipt);
      std::string outcome;
      if (!xml) {
        outcome = "could not be written: " + xml.error();
      } else {
        for (int attempt = 0; attempt < 30 && !stopping; ++attempt) {
          auto res = client.Post(path, *xml, "application/xml");
          outcome = res ? std::to_string(res->status) : httplib::to_string(res.error());
          if (res && res->status / 100 == 2) break;
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      }
      std::printf("%s: receipt for %s -> %s\n", name.c_str(), p.document.event_id().c_str(),
                  outcome.c_str());
      std::fflush(stdout);
      lock.lock();
    }
  });

  const std::string listen = args.Get("--listen");
  const std::string host = listen.substr(0, listen.rfind(':'));
  int port = std::stoi(listen.substr(listen.rfind(':') + 1));
  if (port == 0) {
    port = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "slussen-demo-municipal-system: cannot listen on %s\n", listen.c_str());
    stopping = true;
    cv.notify_all();
    sender.join();
    return 1;
  }
  std::printf("slussen-demo-municipal-system ready http=%s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  std::thread http([&] { server.listen_after_bind(); });
  int sig = 0;
  sigwait(&stop, &sig);
  server.stop();
  http.join();
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  sender.join();
  std::printf("%s: %d documents filed\n", name.c_str(), documents);
  return 0;
}
