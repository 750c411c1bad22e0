// slussen-demo-feed: plays the hospital. Sends the synthetic discharge chains of N patients to
// the hub's `events` address, then one deliberately invalid event, and reports what the hub said.
//
//   slussen-demo-feed --hub HOST:PORT --patients N [--window W] [--print-expected]
//
// --print-expected prints, without connecting, how many deliveries the demo configuration's
// routes (config/demo.xml: every hospital event to the patient's kommun and listed vårdcentral)
// will make per destination, so that scripts/demo.sh can tell the receiver what to wait for.
//
// Exit status 0 when every valid event was accepted and the invalid one rejected.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "demo_args.h"
#include "hub_client.h"
#include "synthetic_events.h"

namespace {

using slussen::client::HubClient;
using slussen::client::OutgoingMessage;
using slussen::client::SendOutcome;
using Kind = slussen::client::SendOutcome::Kind;

constexpr int kReleasedRetries = 5;

std::vector<slussen::v1::Envelope> BuildEvents(long patients) {
  std::vector<slussen::v1::Envelope> events;
  const auto now = std::chrono::system_clock::now();
  for (long n = 1; n <= patients; ++n) {
    // Admissions spread over the recent past, one every 7 minutes, each chain complete by now.
    const auto admitted =
        now - slussen::client::SyntheticChainSpan() - std::chrono::hours(2) -
        std::chrono::minutes(7 * n);
    for (auto& env : slussen::client::SyntheticChain(slussen::client::MakeSyntheticPatient(n),
                                                     admitted)) {
      events.push_back(std::move(env));
    }
  }
  return events;
}

std::map<std::string, long> ExpectedDeliveries(const std::vector<slussen::v1::Envelope>& events) {
  std::map<std::string, long> expected;
  for (const auto& env : events) {
    ++expected["kommun-" + env.patient().kommunkod()];
    if (!env.patient().listed_care_unit_hsa_id().empty()) {
      ++expected["vc-" + env.patient().listed_care_unit_hsa_id()];
    }
  }
  return expected;
}

// An Inskrivningsmeddelande whose personnummer has a wrong check digit: the hub must reject it.
OutgoingMessage InvalidEvent() {
  auto patient = slussen::client::MakeSyntheticPatient(0);
  patient.episode_id = "VT-INVALID-1";
  char& check = patient.personnummer.back();
  check = static_cast<char>('0' + (check - '0' + 1) % 10);
  auto env = slussen::client::SyntheticChain(patient, std::chrono::system_clock::now()).front();
  return slussen::client::ToMessage(env);
}

}  // namespace

int main(int argc, char** argv) {
  slussen::demo::Args args({"--hub", "--patients", "--window"}, {"--print-expected"});
  std::string error;
  long patients = 0;
  long window = 0;
  if (!args.Parse(argc, argv, &error) || !args.GetCount("--patients", 10, &patients, &error) ||
      !args.GetCount("--window", 200, &window, &error)) {
    std::fprintf(stderr, "slussen-demo-feed: %s\n", error.c_str());
    std::fprintf(stderr,
                 "usage: slussen-demo-feed --hub HOST:PORT --patients N [--window W] "
                 "[--print-expected]\n");
    return 2;
  }

  const std::vector<slussen::v1::Envelope> events = BuildEvents(patients);
  if (args.Has("--print-expected")) {
    long total = 0;
    for (const auto& [dest, n] : ExpectedDeliveries(events)) {
      std::printf("expected %s %ld\n", dest.c_str(), n);
      total += n;
    }
    std::printf("expected-total %ld\n", total);
    return 0;
  }
  if (!args.Has("--hub")) {
    std::fprintf(stderr, "slussen-demo-feed: --hub HOST:PORT is required\n");
    return 2;
  }

  std::vector<OutgoingMessage> msgs;
  msgs.reserve(events.size());
  for (const auto& env : events) msgs.push_back(slussen::client::ToMessage(env));

  HubClient client(args.Get("--hub"), "slussen-demo-feed");
  if (!client.Connect(std::chrono::seconds(10), &error)) {
    std::fprintf(stderr, "slussen-demo-feed: cannot connect to %s: %s\n",
                 args.Get("--hub").c_str(), error.c_str());
    return 1;
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<SendOutcome> outcomes =
      client.SendAll("events", msgs, static_cast<int>(window), std::chrono::seconds(120));
  // Released means "not now" (the hub's store was busy): send those again, as an adapter would.
  // The event id stays the same, so the hub deduplicates should the first try have landed.
  long released_first = 0;
  for (const auto& o : outcomes) released_first += o.kind == Kind::kReleased;
  for (int round = 1; round <= kReleasedRetries; ++round) {
    std::vector<std::size_t> again;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i].kind == Kind::kReleased) again.push_back(i);
    }
    if (again.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * round));
    std::vector<OutgoingMessage> retry;
    for (std::size_t i : again) retry.push_back(msgs[i]);
    auto retried = client.SendAll("events", retry, static_cast<int>(window));
    for (std::size_t k = 0; k < again.size(); ++k) outcomes[again[k]] = retried[k];
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<Kind, long> counts;
  const SendOutcome* first_problem = nullptr;
  for (const auto& o : outcomes) {
    ++counts[o.kind];
    if (o.kind != Kind::kAccepted && !first_problem) first_problem = &o;
  }

  const SendOutcome invalid = client.Send("events", InvalidEvent());
  client.Close();

  std::printf("sent %zu events for %ld patients (window %ld) in %.3f s\n", msgs.size(), patients,
              window, seconds);
  for (Kind k : {Kind::kAccepted, Kind::kRejected, Kind::kReleased, Kind::kModified,
                 Kind::kError}) {
    std::printf("  %-9s %ld\n", slussen::client::OutcomeName(k), counts[k]);
  }
  if (released_first > 0) std::printf("  (%ld released at first and sent again)\n", released_first);
  if (first_problem) {
    std::printf("  first problem: %s %s: %s\n", slussen::client::OutcomeName(first_problem->kind),
                first_problem->condition.c_str(), first_problem->description.c_str());
  }
  std::printf("invalid event (wrong personnummer check digit): %s %s\n  %s\n",
              slussen::client::OutcomeName(invalid.kind), invalid.condition.c_str(),
              invalid.description.c_str());
  std::printf("accepted events/s: %.0f\n", seconds > 0 ? counts[Kind::kAccepted] / seconds : 0.0);

  const bool ok = counts[Kind::kAccepted] == static_cast<long>(msgs.size()) &&
                  invalid.kind == Kind::kRejected;
  return ok ? 0 : 1;
}
