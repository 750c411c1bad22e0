// slussen: the hub daemon. Loads and validates the config, opens the store, starts the core actor
// and the embedded AMQP listener, prints one readiness line, and on SIGTERM/SIGINT drains and
// exits 0 (1 if the store latched while running). See hub/DESIGN.md.
#include <proton/logger.h>
#include <signal.h>
#include <sys/stat.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <random>
#include <thread>

#include "audit/patient_key.h"
#include "admin/admin_server.h"
#include "admin/token_auth.h"
#include "cases/case_projection.h"
#include "config/config_loader.h"
#include "core/core.h"
#include "report/case_report.h"
#include "report/case_report_pdf.h"
#include "report/stored_case_report.h"
#include "store/store_factory.h"
#include "transport/tls_context.h"
#include "transport/transport.h"
#include "broker/broker_definitions.h"
#include "broker/broker_transport.h"

#ifdef SLUSSEN_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

// For the start line: which malloc the hub runs on (hub/DESIGN.md "Actors and threads":
// jemalloc unless built with -DSLUSSEN_JEMALLOC=OFF, as the sanitizer build is).
std::string AllocatorName() {
#ifdef SLUSSEN_JEMALLOC
  const char* version = nullptr;
  size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version) {
    return std::string("jemalloc ") + version;
  }
  return "jemalloc";
#else
  return "the C library's malloc";
#endif
}

constexpr const char* kUsage = R"(usage: slussen --config FILE [--log-level LEVEL]
       slussen --config FILE --status
       slussen --config FILE --report CASE_ID [--json | --pdf FILE]
       slussen --hash-token < TOKEN_FILE
       slussen --hash-password < PASSWORD_FILE
       slussen --config FILE --broker-definitions
       slussen --help | --version

Slussen: AMQP 1.0 hub for discharge-planning messages (lag 2017:612).

  --config FILE      hub configuration (XML, schemas/config.xsd); required
  --status           print the store's counts as JSON, with "store_latched" (the first
                     fsync or corruption error, or null), "store_bytes" (its size on disk),
                     "store_max_bytes" (0: unbounded) and "store_full" (why inbound is released
                     because the store reached max-bytes, or null), and exit (the hub may be
                     running)
  --report CASE_ID   print the evidence report of one case (events, deliveries, receipts,
                     deadlines, payment liability) as a table, or as JSON with --json, and exit;
                     CASE_ID is "<care-unit HSA-id>/<episode id>" (the case_id AMQP property)
  --pdf FILE         with --report: write the report as a PDF (A4, Swedish, for an invoice
                     dispute between kommun and region) to FILE instead of printing it
  --hash-token       read an admin token (one line, at least 16 characters) from stdin and print
                     its argon2id hash for <operator token-hash="..."> in the config
  --hash-password    the same for an adapter's SASL PLAIN password (at least 16 characters),
                     for <login user="..." password-hash="..."> in the config
  --broker-definitions
                     print the RabbitMQ definitions (JSON, for load_definitions or rabbitmqctl
                     import_definitions) of the queues this config needs in broker mode: events,
                     receipts, out.DESTINATION for each destination and dead, all durable quorum
                     queues, named with <broker queue-prefix> (hub/DESIGN.md "Broker mode")
  --log-level LEVEL  trace, debug, info (default), warn, error
  --help             this text
  --version          version and schema versions

When the listener is up (broker mode: when it first connected to the broker, whose address
HOST:PORT then is), slussen prints exactly one line to stdout:
  slussen ready amqp=HOST:PORT               (or, with <admin> configured:)
  slussen ready amqp=HOST:PORT admin=HOST:PORT
Logs go to stderr. SIGHUP: read the TLS certificate, key and CA of <amqp><tls> again for new
connections (open ones keep theirs; if the files are bad, the hub logs why and keeps the old
ones). SIGTERM or SIGINT: stop accepting, commit and settle what has arrived,
close connections, exit 0. Exit 1: configuration or store error, or the store latched while
running (a failed fsync or a corruption: from then on every inbound message was released to its
sender; check the disk before restarting); 2: usage error.
)";

struct Args {
  std::string config;
  std::string log_level = "info";
  bool status = false;
  std::string report_case;
  bool json = false;
  std::string pdf;
  bool hash_token = false;
  bool hash_password = false;
  bool broker_definitions = false;
};

// --hash-token and --hash-password: one line from stdin, its argon2id hash on stdout. Both are
// secrets an operator keeps and the hub checks by the same rule, so one hash function serves both.
int PrintHash(const char* what) {
  std::string secret;
  std::getline(std::cin, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.size() < 16) {
    std::cerr << "slussen: a " << what << " must be at least 16 characters\n";
    return 1;
  }
  auto hash = slussen::admin::HashToken(secret);
  std::fill(secret.begin(), secret.end(), '\0');
  if (!hash) {
    std::cerr << "slussen: " << hash.error() << "\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

int Usage(const std::string& problem) {
  std::cerr << "slussen: " << problem << "\n\n" << kUsage;
  return 2;
}

slussen::StoreConfig StoreConfigOf(const slussen::Config& config) {
  return {config.store_backend, config.store_path, config.store_group, config.store_max_bytes};
}

int PrintStatus(const slussen::Config& config) {
  auto store = slussen::OpenStoreReader(StoreConfigOf(config));
  if (!store) {
    std::cerr << "slussen: " << store.error() << "\n";
    return 1;
  }
  auto stats = (*store)->Stats();
  if (!stats) {
    std::cerr << "slussen: " << stats.error() << "\n";
    return 1;
  }
  // The latch and full reasons come from files (the latch's names paths): JSON-escaped, never raw.
  const auto reason = [](const std::string& text) {
    const nlohmann::json j = text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
    return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  };
  std::cout << "{\"events\": " << stats->events << ", \"dead_letters\": " << stats->dead_letters
            << ", \"store_latched\": " << reason(stats->latched_reason)
            << ", \"store_bytes\": " << stats->bytes_on_disk
            << ", \"store_max_bytes\": " << config.store_max_bytes
            << ", \"store_full\": " << reason(stats->full_reason)
            << ", \"destinations\": {";
  bool first = true;
  for (const auto& d : stats->destinations) {
    std::cout << (first ? "" : ", ") << "\"" << d.destination << "\": {\"delivered\": " << d.delivered
              << ", \"pending\": " << d.pending << ", \"dead\": " << d.dead
              << ", \"awaiting_receipt\": " << d.awaiting_receipt << "}";
    first = false;
  }
  std::cout << "}}\n";
  return 0;
}

// The evidence report of one case, read from the store (read-only; the hub may be running).
int PrintReport(const slussen::Config& config, const std::string& case_id, bool json,
                const std::string& pdf) {
  auto store = slussen::OpenStoreReader(StoreConfigOf(config));
  if (!store) {
    std::cerr << "slussen: " << store.error() << "\n";
    return 1;
  }
  const auto now = std::chrono::system_clock::now();
  auto report = slussen::LoadCaseReport(**store, case_id, config.agreement, now);
  if (!report) {
    std::cerr << "slussen: " << report.error()
              << (report.code() == slussen::ErrorCode::kNotFound ? " in " + config.store_path : "")
              << "\n";
    return 1;
  }
  const slussen::CaseView* view = &report->projection.view;
  const auto& deliveries = report->deliveries;
  if (!pdf.empty()) {
    const auto written = slussen::WriteCaseReportPdf(
        slussen::CaseReportJson(view->state, view->deadlines, view->liability, config.agreement,
                                deliveries, now),
        pdf);
    if (!written.ok()) {
      std::cerr << "slussen: " << written.error() << "\n";
      return 1;
    }
    return 0;
  }
  if (json) {
    std::cout << slussen::CaseReportJson(view->state, view->deadlines, view->liability,
                                         config.agreement, deliveries, now)
                     .dump(2)
              << "\n";
  } else {
    std::cout << slussen::CaseReportTable(view->state, view->deadlines, view->liability,
                                          config.agreement, deliveries, now);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "slussen " << SLUSSEN_VERSION << " (wire schema slussen.v1, store schema "
                << slussen::StoreSchemaVersion({}) << ")\n";
      return 0;
    } else if (a == "--config" && i + 1 < argc) {
      args.config = argv[++i];
    } else if (a == "--log-level" && i + 1 < argc) {
      args.log_level = argv[++i];
    } else if (a == "--hash-token") {
      args.hash_token = true;
    } else if (a == "--hash-password") {
      args.hash_password = true;
    } else if (a == "--broker-definitions") {
      args.broker_definitions = true;
    } else if (a == "--status") {
      args.status = true;
    } else if (a == "--report" && i + 1 < argc) {
      args.report_case = argv[++i];
    } else if (a == "--json") {
      args.json = true;
    } else if (a == "--pdf" && i + 1 < argc) {
      args.pdf = argv[++i];
    } else {
      return Usage("unknown or incomplete argument '" + a + "'");
    }
  }
  if (args.hash_token) return PrintHash("token");
  if (args.hash_password) return PrintHash("password");
  if (args.config.empty()) return Usage("--config FILE is required");
  if (!args.pdf.empty() && args.report_case.empty()) return Usage("--pdf FILE needs --report CASE_ID");
  if (!args.pdf.empty() && args.json) return Usage("--pdf and --json exclude each other");

  auto logger = spdlog::stderr_color_mt("slussen");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  const auto level = spdlog::level::from_str(args.log_level);
  if (level == spdlog::level::off && args.log_level != "off") {
    return Usage("unknown log level '" + args.log_level + "'");
  }
  spdlog::set_level(level);

  // Proton's frame trace would write every SASL PLAIN password to the log in clear: never on.
  // Proton reads these variables when it is loaded, so its default logger (which every transport
  // copies) is turned down as well; its errors and warnings stay.
  for (const char* trace : {"PN_TRACE_FRM", "PN_TRACE_RAW", "PN_TRACE_DRV", "PN_LOG"}) {
    if (std::getenv(trace) != nullptr) {
      spdlog::warn("{} is set and ignored: Proton's protocol trace would log SASL passwords", trace);
      ::unsetenv(trace);
    }
  }
  pn_logger_reset_mask(pn_default_logger(), PN_SUBSYSTEM_ALL,
                       PN_LEVEL_INFO | PN_LEVEL_DEBUG | PN_LEVEL_TRACE | PN_LEVEL_FRAME | PN_LEVEL_RAW);

  auto config = slussen::LoadConfig(args.config);
  if (!config) {
    std::cerr << config.error() << "\n";
    return 1;
  }
  if (args.status) return PrintStatus(*config);
  if (args.broker_definitions) {
    std::cout << slussen::BrokerDefinitions(*config).dump(2) << "\n";
    return 0;
  }
  if (!args.report_case.empty()) return PrintReport(*config, args.report_case, args.json, args.pdf);

  // Signals are taken by one thread with sigwait; block them everywhere else before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);   // reload the TLS certificate
  sigaddset(&signals, SIGUSR1);  // internal: wakes the signal thread when the hub ends on its own
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (config->log_pseudonym_key.empty()) {
    // No <logging pseudonym-key-file>: a key of this run, so pseudonyms in this run's log still
    // tell patients apart, and nobody can recompute them.
    std::random_device random;
    for (int i = 0; i < 32; ++i) config->log_pseudonym_key += static_cast<char>(random() & 0xff);
    spdlog::info("patients appear in the log as pseudonyms of this run only (configure <logging "
                 "pseudonym-key-file> to follow one across restarts)");
  }
  // The store (and its write-ahead log), reports and temporary PDFs hold patient data: readable
  // by the hub's user only, whatever umask it was started with (the systemd unit sets it too).
  ::umask(0077);
  const auto store_config = StoreConfigOf(*config);
  auto store = slussen::OpenStore(store_config);
  if (!store) {
    spdlog::error("{}", store.error());
    return 1;
  }
  spdlog::info("store {} open ({}, schema version {}); memory allocator: {}", config->store_path,
               store_config.backend, slussen::StoreSchemaVersion(store_config), AllocatorName());

  if (config->audit.patient_key_secret.empty()) {
    // No <audit key-file>: the secret the store keeps (made at its first start), so that a
    // patient's rows are found across restarts; hub/DESIGN.md "Audit log and retention" says
    // what that costs.
    auto made = slussen::MakeAuditSecret();
    auto kept = made ? (*store)->AuditKey(*made) : slussen::Result<std::string>(made.as_error());
    if (!kept) {
      spdlog::error("audit log: no patient-key secret: {}", kept.error());
      return 1;
    }
    config->audit.patient_key_secret = std::move(*kept);
  }
  // TLS before anything listens: a missing, unreadable or group-readable key stops the start.
  std::shared_ptr<const slussen::TlsContext> tls;
  if (config->amqp_tls) {
    auto loaded = slussen::LoadTls(*config->amqp_tls, config->amqp_allow_plain, 1);
    if (!loaded) {
      spdlog::error("{}", loaded.error());
      return 1;
    }
    tls = *loaded;
    spdlog::info("amqp: TLS with certificate {} (client certificates {})",
                 config->amqp_tls->certificate_path,
                 config->amqp_tls->client_certificates == slussen::TlsConfig::ClientCertificates::kNone
                     ? "not asked for"
                     : config->amqp_tls->client_certificates ==
                               slussen::TlsConfig::ClientCertificates::kRequired
                           ? "required"
                           : "optional");
  }

  const auto clock = slussen::SystemClock();
  // Embedded: our own listener. Broker mode: a client of the broker (hub/DESIGN.md "Broker
  // mode"). Above the transport everything is the same.
  std::unique_ptr<slussen::EmbeddedTransport> embedded;
  std::unique_ptr<slussen::BrokerTransport> broker;
  if (config->broker) {
    broker = std::make_unique<slussen::BrokerTransport>(*config, clock);
  } else {
    embedded = std::make_unique<slussen::EmbeddedTransport>(*config, clock);
    embedded->SetTls(tls);
  }
  slussen::Transport& transport =
      embedded ? static_cast<slussen::Transport&>(*embedded) : *broker;
  slussen::CoreTuning tuning;
  tuning.flush_interval = config->store_flush_interval;
  slussen::Core core(*config, **store, transport, clock, tuning);
  core.Start();

  // The admin listener first: its port goes into the ready line.
  std::unique_ptr<slussen::admin::AdminServer> admin;
  std::string admin_endpoint;
  if (config->admin) {
    admin = std::make_unique<slussen::admin::AdminServer>(
        *config->admin,
        slussen::admin::AdminServer::Sources{
            [&core] { return core.stats(); }, [&transport] { return transport.running(); },
            [&embedded, &broker] {
              if (!embedded) {
                // Broker mode: the one connection is the hub's own, to the broker.
                slussen::admin::ConnectionCounts counts{};
                counts.open = broker->connected() ? 1 : 0;
                return counts;
              }
              const auto& c = embedded->counters();
              return slussen::admin::ConnectionCounts{
                  c.connections_open.load(), c.connections_accepted.load(),
                  c.connections_refused.load(), c.connections_failed.load(),
                  c.idle_timeouts.load(), c.oversized_deliveries.load(),
                  c.connections_unauthorized.load(), c.links_unauthorized.load()};
            },
            [&core](slussen::OperatorCommand cmd) { core.Post(std::move(cmd)); },
            [&core, &config] {
              // Read your writes: what the core wrote before this request is flushed (committed
              // for other connections, hub/DESIGN.md "Durable write path") before it is read.
              core.Drain();
              return slussen::OpenStoreReader(StoreConfigOf(*config));
            },
            config->agreement, config->audit.patient_key_secret},
        clock);
    auto port = admin->Start();
    if (!port) {
      spdlog::error("admin: {}", port.error());
      core.Stop();
      return 1;
    }
    admin_endpoint = " admin=" + config->admin->host + ":" + std::to_string(*port);
    spdlog::info("admin API on {}:{}", config->admin->host, *port);
  }

  std::atomic<bool> listen_failed{false};
  std::atomic<bool> finished{false};
  std::thread signal_thread([&] {
    int sig = 0;
    uint64_t generation = 1;
    while (true) {
      sigwait(&signals, &sig);
      if (finished) return;
      if (sig != SIGHUP) break;
      if (!config->amqp_tls) {
        spdlog::info("SIGHUP: no <amqp><tls> to reload");
        continue;
      }
      // Off the socket thread: file I/O and a fresh SSL_CTX.
      auto reloaded = slussen::LoadTls(*config->amqp_tls, config->amqp_allow_plain, generation + 1);
      if (!reloaded) {
        spdlog::error("SIGHUP: TLS reload failed, keeping certificate generation {}: {}",
                      generation, reloaded.error());
        continue;
      }
      ++generation;
      embedded->ReloadTls(*reloaded);
    }
    spdlog::info("signal {}: draining", sig);
    transport.StopAccepting();
    core.Drain();
    transport.CloseAll();
    // Peers get 5 s to answer the close; then their connections are aborted.
    for (int i = 0; i < 50 && transport.running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (transport.running()) {
      spdlog::warn("connections did not close within 5 s; aborting them");
      transport.ForceStop();
    }
  });

  transport.Run(
      core,
      [&admin_endpoint, &config](const std::string& host, int port) {
        // Broker mode: the address is the broker's, which the adapters connect to as well.
        std::printf("slussen ready amqp=%s:%d%s\n", host.c_str(), port, admin_endpoint.c_str());
        std::fflush(stdout);
        spdlog::info("{} {}:{}", config->broker ? "ready: connected to the broker at" : "listening on",
                     host, port);
      },
      [&](const std::string& error) {
        spdlog::error("cannot listen on {}:{}: {}", config->amqp_host, config->amqp_port, error);
        listen_failed = true;
        transport.ForceStop();
      });

  finished = true;
  kill(getpid(), SIGUSR1);
  signal_thread.join();
  if (admin) admin->Stop();
  core.Stop();
  const auto c = core.counters();
  spdlog::info("stopped: {} accepted, {} duplicates, {} rejected, {} released, {} delivered, {} commits",
               c.accepted, c.duplicates, c.rejected, c.released, c.delivered, c.commits);
  if ((*store)->latched()) {
    spdlog::error("exiting 1: the store latched while running: {}", (*store)->latched_reason());
    return 1;
  }
  return listen_failed ? 1 : 0;
}
