// slussen-municipality: one process per municipal (or vårdcentral) system. Delivers the events of
// its destinations as XML documents POSTed to the system, and takes the system's kvittenser and
// planeringsunderlag-svar back to the hub. See README.md.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "adapters/municipality/deliverer.h"
#include "adapters/municipality/municipality_config.h"
#include "adapters/municipality/receipt_server.h"
#include "runtime/command_line.h"
#include "runtime/hub_session.h"
#include "runtime/stop_signals.h"

namespace {

constexpr const char* kUsage = R"(usage: slussen-municipality --config FILE [--log-level LEVEL]
       slussen-municipality --help

Delivers the hub's events for a municipal or vårdcentral system (out/kommun-KOD, out/vc-HSAID)
as XML documents POSTed to the system, and takes its kvittenser and planeringsunderlag-svar
(POST /dokument) back to the hub.

  --config FILE      the adapter's configuration (XML, schemas/adapters/municipality.xsd)
  --log-level LEVEL  trace, debug, info (default), warn, error

When the listener is bound and the hub connection open, one line on stdout:
  slussen-municipality ready http=HOST:PORT
Logs go to stderr. SIGTERM or SIGINT: stop taking deliveries, finish or hand back those in
flight, exit 0. Exit 1: cannot listen; 2: usage or configuration error.
)";

// How long a stop waits for POSTs in progress before handing them back.
constexpr std::chrono::seconds kStopGrace{10};

}  // namespace

int main(int argc, char** argv) {
  using namespace slussen;
  int exit_code = 0;
  const auto line =
      slussen::adapter::ParseCommandLine(argc, argv, "slussen-municipality", kUsage, &exit_code);
  if (!line) return exit_code;
  const std::string& config_path = line->config_path;

  auto config = municipality::LoadMunicipalityConfig(config_path);
  if (!config) {
    std::cerr << config.error() << "\n";
    return 2;
  }
  const municipality::MunicipalityConfig& c = *config;

  adapter::BlockStopSignals();  // before any thread exists

  adapter::HubSession session(c.hub, "slussen-municipality");
  municipality::ReceiptServer server(c, session);
  if (auto bound = server.Bind(); !bound) {
    spdlog::error("{}", bound.error());
    return 1;
  }
  municipality::Deliverer deliverer(c, session);
  deliverer.Start();
  session.Start();
  for (const auto& d : c.destinations) {
    session.Subscribe("out/" + d, c.max_in_flight,
                      [&deliverer](adapter::HubSession::Delivery delivery) {
                        deliverer.Enqueue(std::move(delivery));
                      });
  }
  server.Start();
  spdlog::info("serving {} destination(s), POSTing to {}, max {} in flight", c.destinations.size(),
               c.system_url, c.max_in_flight);

  // Ready once the hub connection is open; until then (it keeps trying) a signal still stops us.
  const std::string host =
      c.listen.host.find(':') != std::string::npos ? "[" + c.listen.host + "]" : c.listen.host;
  std::atomic<bool> stopping{false};
  std::thread ready([&] {
    while (!session.WaitConnected(std::chrono::milliseconds(200))) {
      if (stopping) return;
    }
    std::printf("slussen-municipality ready http=%s:%d\n", host.c_str(), server.port());
    std::fflush(stdout);
  });

  const int sig = adapter::WaitForStopSignal();
  spdlog::info("signal {}: stopping", sig);
  stopping = true;
  ready.join();
  server.Stop();
  deliverer.Drain();
  session.Stop(kStopGrace);
  deliverer.Abort();
  spdlog::info("stopped");
  return 0;
}
