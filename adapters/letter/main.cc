// slussen-letter: the letter adapter (issue 11 item 5). Reads out/letter from the hub and turns
// each delivery into a letter PDF for the recipient unit the hub's delivery stands in for, hands it
// to the configured print or fax command, and settles the delivery by the command's outcome. See
// adapters/letter/README.md.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/letter/command_sender.h"
#include "adapters/letter/letter_adapter_config.h"
#include "adapters/letter/letter_workers.h"
#include "adapters/letter/spool.h"
#include "runtime/command_line.h"
#include "runtime/hub_session.h"
#include "runtime/stop_signals.h"

namespace {

using namespace slussen::adapters::letter;  // NOLINT(google-build-using-namespace)
using slussen::adapter::HubSession;

constexpr const char* kUsage = R"(usage: slussen-letter --config FILE [--log-level LEVEL]
       slussen-letter --help

The letter adapter of Slussen: reads out/letter from the hub, renders one letter PDF per event
and recipient, spools it and hands it to the configured command (lp, sendfax, the fake fax
gateway). Exit status 0 of the command: the delivery is accepted; anything else: released, and
the hub tries again; a letter with no known recipient: rejected (a dead letter).

  --config FILE      the adapter's config (XML, schemas/adapters/letter.xsd); required
  --log-level LEVEL  trace, debug, info (default), warn, error

Once connected to the hub it prints one line to stdout:
  slussen-letter ready amqp=HOST:PORT
Logs go to stderr. SIGTERM or SIGINT: take nothing new, hand back letters not started, finish
those being sent, exit 0. Exit 1: the spool cannot be opened; 2: usage or config error.
)";

// "amqp://user@127.0.0.1:5672/x" -> "127.0.0.1:5672" (the default port of the scheme if none).
std::string HostPort(const std::string& url) {
  std::string rest = url;
  std::string port = "5672";
  if (auto s = rest.find("://"); s != std::string::npos) {
    if (rest.compare(0, s, "amqps") == 0) port = "5671";
    rest = rest.substr(s + 3);
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  const auto colon = rest.rfind(':');
  const bool has_port = colon != std::string::npos && rest.find(']', colon) == std::string::npos;
  return has_port ? rest : rest + ":" + port;
}

// Runs `work` every `interval` on its own thread until Stop().
class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> work)
      : thread_([this, interval, work = std::move(work)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
            lock.unlock();
            work();
            lock.lock();
          }
        }) {}
  ~Periodic() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

void CleanSpool(const Spool& spool) {
  const auto removed = spool.Cleanup(std::chrono::system_clock::now());
  if (!removed.ok()) {
    spdlog::warn("spool cleanup: {}", removed.error());
  } else if (*removed > 0) {
    spdlog::info("spool cleanup: {} old file(s) removed", *removed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread: only the main thread ever sees SIGTERM/SIGINT.
  slussen::adapter::BlockStopSignals();

  int exit_code = 0;
  const auto line =
      slussen::adapter::ParseCommandLine(argc, argv, "slussen-letter", kUsage, &exit_code);
  if (!line) return exit_code;
  const std::string& config_path = line->config_path;

  auto config = LoadLetterAdapterConfig(config_path);
  if (!config.ok()) {
    std::cerr << config.error() << "\n";
    return 2;
  }
  auto spool = Spool::Open(config->letter.spool);
  if (!spool.ok()) {
    spdlog::error("spool {}: {}", config->letter.spool.dir, spool.error());
    return 1;
  }
  auto sender = CommandSender::Create(config->letter.command);
  if (!sender.ok()) {  // ValidateLetterConfig has checked it; kept as a value all the same
    std::cerr << config_path << ": command: " << sender.error() << "\n";
    return 2;
  }
  CleanSpool(*spool);

  const std::string hub = HostPort(config->hub.url);
  HubSession session(config->hub, "slussen-letter");
  LetterWorkers workers(
      *config, *spool, *sender,
      [&session](uint64_t token, const Settlement& s) {
        session.Settle(token, s.disposition, s.condition, s.description);
      },
      [] { return std::chrono::system_clock::now(); });
  session.Subscribe(kLetterAddress, config->max_in_flight,
                    [&workers](HubSession::Delivery d) { workers.Post(d.token, std::move(d.message)); });
  spdlog::info("spool {}, {} recipient(s), {} worker(s), at most {} letter(s) in flight; "
               "connecting to the hub at {}",
               spool->dir(), config->letter.recipients.size(), config->workers,
               config->max_in_flight, hub);
  session.Start();

  // The ready line once the hub connection is open; the main thread meanwhile waits for a signal.
  std::atomic<bool> stopping{false};
  std::thread ready([&] {
    bool warned = false;
    while (!stopping) {
      if (session.WaitConnected(std::chrono::milliseconds(200))) {
        std::printf("slussen-letter ready amqp=%s\n", hub.c_str());
        std::fflush(stdout);
        spdlog::info("connected to the hub at {}; reading {}", hub, kLetterAddress);
        return;
      }
      if (!warned) {
        spdlog::warn("the hub at {} is not reachable yet; still trying", hub);
        warned = true;
      }
    }
  });
  Periodic cleanup(config->cleanup_interval, [&] { CleanSpool(*spool); });

  const int sig = slussen::adapter::WaitForStopSignal();
  spdlog::info("signal {}: stopping", sig);
  stopping = true;
  ready.join();
  cleanup.Stop();
  workers.StopTaking();
  // Letters being sent are given their command's timeout to finish; the rest is handed back.
  session.Stop(config->letter.command.timeout + std::chrono::seconds(5));
  workers.Join();
  spdlog::info("stopped");
  return 0;
}
