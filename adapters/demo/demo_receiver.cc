// slussen-demo-receiver: plays the receiving adapters (kommuner, vårdcentraler). Attaches to
// out/<dest> for every --dest, accepts what arrives and prints one line per message, then the
// count per destination.
//
//   slussen-demo-receiver --hub HOST:PORT --dest ID [--dest ID ...] --expect N
//                         [--idle-timeout-ms T]
//
// The lines name destination, subject, case id and message id only: never the personnummer or
// the name, although the body carries them (the demo's output is a log like any other).
// It stops when N distinct messages arrived, or when nothing arrived for T ms (default 15000).
// Exit status 0 when N arrived and every body was a well-formed Envelope matching its message-id.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "demo_args.h"
#include "hub_client.h"
#include "slussen/v1/events.pb.h"

namespace {

using slussen::client::Disposition;
using slussen::client::HubClient;
using slussen::client::IncomingMessage;

constexpr char kOutPrefix[] = "out/";

// Shared between the client's thread (the handler) and main.
struct Tally {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::set<std::string>> seen;  // destination -> message ids
  long total = 0;        // distinct messages
  long duplicates = 0;   // redeliveries (at-least-once), not counted in total
  long malformed = 0;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

Disposition Handle(Tally& tally, const std::string& dest, const IncomingMessage& m) {
  slussen::v1::Envelope env;
  const bool well_formed = m.body_is_binary && env.ParseFromString(m.body) &&
                           env.event_id() == m.message_id;
  const auto prop = [&m](const char* k) {
    auto it = m.properties.find(k);
    return it == m.properties.end() ? std::string("-") : it->second;
  };
  std::lock_guard<std::mutex> lock(tally.mu);
  tally.last = std::chrono::steady_clock::now();
  const bool fresh = tally.seen[dest].insert(m.message_id).second;
  if (fresh) {
    ++tally.total;
  } else {
    ++tally.duplicates;
  }
  if (!well_formed) ++tally.malformed;
  std::printf("%-28s %-26s %-34s %s%s%s\n", dest.c_str(), m.subject.c_str(),
              prop("case_id").c_str(), m.message_id.c_str(), fresh ? "" : " (duplicate)",
              well_formed ? "" : " (MALFORMED BODY)");
  std::fflush(stdout);
  tally.cv.notify_all();
  // Accept even a malformed one: releasing it would only bring it back. It is counted and
  // fails the exit status instead.
  return Disposition::kAccept;
}

}  // namespace

int main(int argc, char** argv) {
  slussen::demo::Args args({"--hub", "--dest", "--expect", "--idle-timeout-ms"}, {});
  std::string error;
  long expect = 0;
  long idle_ms = 0;
  if (!args.Parse(argc, argv, &error) || !args.GetCount("--expect", 0, &expect, &error) ||
      !args.GetCount("--idle-timeout-ms", 15000, &idle_ms, &error) || !args.Has("--hub") ||
      args.GetAll("--dest").empty()) {
    if (error.empty()) error = "--hub and at least one --dest are required";
    std::fprintf(stderr, "slussen-demo-receiver: %s\n", error.c_str());
    std::fprintf(stderr,
                 "usage: slussen-demo-receiver --hub HOST:PORT --dest ID [--dest ID ...] "
                 "--expect N [--idle-timeout-ms T]\n");
    return 2;
  }
  const std::vector<std::string> dests = args.GetAll("--dest");

  Tally tally;  // before the client: the client's thread uses it until the client is gone
  HubClient client(args.Get("--hub"), "slussen-demo-receiver");
  if (!client.Connect(std::chrono::seconds(10), &error)) {
    std::fprintf(stderr, "slussen-demo-receiver: cannot connect to %s: %s\n",
                 args.Get("--hub").c_str(), error.c_str());
    return 1;
  }

  for (const std::string& dest : dests) {
    const int id = client.Receive(
        kOutPrefix + dest,
        [&tally, dest](const IncomingMessage& m) { return Handle(tally, dest, m); }, 200,
        &error);
    if (id < 0) {
      std::fprintf(stderr, "slussen-demo-receiver: cannot receive from %s%s: %s\n", kOutPrefix,
                   dest.c_str(), error.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "slussen-demo-receiver: attached to %zu destinations, expecting %ld\n",
               dests.size(), expect);

  {
    std::unique_lock<std::mutex> lock(tally.mu);
    const auto idle = std::chrono::milliseconds(idle_ms);
    tally.last = std::chrono::steady_clock::now();
    while (tally.total < expect) {
      if (tally.cv.wait_until(lock, tally.last + idle) == std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= tally.last + idle) {
        std::fprintf(stderr, "slussen-demo-receiver: nothing for %ld ms, stopping\n", idle_ms);
        break;
      }
    }
  }
  // Detaches the receivers before closing, so every accept reaches the hub.
  client.Close();

  std::lock_guard<std::mutex> lock(tally.mu);
  for (const std::string& dest : dests) {
    std::printf("delivered %s %zu\n", dest.c_str(), tally.seen[dest].size());
  }
  std::printf("received %ld of %ld expected (%ld duplicates, %ld malformed)\n", tally.total, expect,
              tally.duplicates, tally.malformed);
  return tally.total >= expect && tally.malformed == 0 ? 0 : 1;
}
