// slussen-ehr: the EHR adapter. HL7 v2.5 ADT over MLLP and XML documents over HTTP in, events to
// the hub's `events` out; each HL7 message is acknowledged and each document answered only after
// the hub settled its event (adapters/ehr/README.md).
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "runtime/command_line.h"
#include "runtime/hub_session.h"
#include "runtime/stop_signals.h"
#include "server/ehr_config.h"
#include "server/hl7_handler.h"
#include "server/http_endpoint.h"
#include "server/mllp_listener.h"
#include "synthetic_events.h"

namespace {

using slussen::adapter::HubSession;
using slussen::client::SendOutcome;

constexpr const char* kUsage = R"(usage: slussen-ehr --config FILE [--log-level LEVEL]
       slussen-ehr --help

The EHR adapter of Slussen: HL7 v2.5 ADT over MLLP and XML discharge-planning documents over
HTTP (POST /documents), each sent to the hub as an event and acknowledged only when the hub has
stored it (adapters/ehr/README.md).

  --config FILE      the adapter's config (XML, schemas/adapters/ehr.xsd); required
  --log-level LEVEL  trace, debug, info (default), warn, error
  --help             this text

Once both listeners are bound and the hub connection is open, exactly one line on stdout:
  slussen-ehr ready mllp=HOST:PORT http=HOST:PORT
Logs go to stderr. SIGTERM or SIGINT: stop accepting, let messages in flight finish (shutdown
grace), close, exit 0. Exit 1: a listener cannot be bound; 2: usage or config error.
)";

SendOutcome NotConnected() {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kError;
  o.description = "not connected to the hub";
  return o;
}

// Sends one event and waits for the hub. Not connected: answered at once instead of queued, so
// the EHR hears "send again" without waiting for a timeout.
slussen::ehr::EventSender SenderWith(HubSession& session, std::chrono::milliseconds timeout) {
  return [&session, timeout](const slussen::v1::Envelope& env) {
    if (!session.connected()) return NotConnected();
    return session.SendAndWait("events", slussen::client::ToMessage(env), timeout);
  };
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto line =
      slussen::adapter::ParseCommandLine(argc, argv, "slussen-ehr", kUsage, &exit_code);
  if (!line) return exit_code;
  const std::string& config_path = line->config_path;
  // Before any thread: every thread inherits the blocked mask, only main takes the signals.
  slussen::adapter::BlockStopSignals();

  auto config = slussen::ehr::LoadEhrConfig(config_path);
  if (!config) {
    std::cerr << config.error() << "\n";
    return 2;
  }

  HubSession session(config->hub, "slussen-ehr");
  slussen::ehr::Hl7Handler hl7(config->mapping, config->ack, slussen::SystemClock(),
                               SenderWith(session, config->mllp.ack_timeout));
  auto mllp = slussen::ehr::MllpListener::Bind(
      {config->mllp.listen, config->mllp.max_frame_bytes, config->mllp.max_connections,
       config->mllp.idle_timeout},
      {[&hl7](std::string_view payload, const std::string& peer) {
         return hl7.HandleFrame(payload, peer);
       },
       [&hl7](const slussen::hl7::MllpError& e, const std::string& peer) {
         return hl7.HandleFramingError(e, peer);
       }});
  if (!mllp) {
    spdlog::error("{}", mllp.error());
    return 1;
  }
  auto http = slussen::ehr::HttpEndpoint::Bind(
      {config->http.listen, config->http.max_body_bytes, config->http.threads,
       std::chrono::duration_cast<std::chrono::seconds>(config->http.retry_after)},
      SenderWith(session, config->http.send_timeout), [&session] { return session.connected(); });
  if (!http) {
    spdlog::error("{}", http.error());
    return 1;
  }

  session.Start();
  (*mllp)->Start();
  (*http)->Start();
  spdlog::info("listening: mllp {} http {}; connecting to the hub", (*mllp)->address(),
               (*http)->address());

  // The ready line waits for the hub; the main thread waits for the signal meanwhile.
  std::atomic<bool> stopping{false};
  std::thread ready([&] {
    while (!stopping && !session.WaitConnected(std::chrono::milliseconds(200))) {
    }
    if (stopping) return;
    std::printf("slussen-ehr ready mllp=%s http=%s\n", (*mllp)->address().c_str(),
                (*http)->address().c_str());
    std::fflush(stdout);
    spdlog::info("ready: connected to the hub");
  });

  const int sig = slussen::adapter::WaitForStopSignal();
  stopping = true;
  spdlog::info("signal {}: stopping (grace {} ms)", sig, config->stop_grace.count());
  ready.join();
  (*mllp)->StopAccepting();
  (*http)->StopAccepting();
  const auto deadline = std::chrono::steady_clock::now() + config->stop_grace;
  const bool mllp_done = (*mllp)->WaitIdle(deadline);
  const bool http_done = (*http)->WaitIdle(deadline);
  if (!mllp_done || !http_done) {
    spdlog::warn("messages still in flight after the grace period: their senders are told to "
                 "send again");
  }
  // What still waits for the hub is answered "unknown, send again" once the session stops.
  session.Stop(std::chrono::milliseconds(1000));
  (*mllp)->Join();
  (*http)->Join();
  spdlog::info("stopped");
  return 0;
}
