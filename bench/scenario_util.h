#pragma once
// What the hub scenarios share: filling the hub with queued events, JSON output, verdicts.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "args.h"
#include "load_sender.h"
#include "send_log.h"
#include "sut.h"

namespace slussen::bench {

class PayloadFactory;

// Events sent with no receiver attached: they wait in the system under test.
struct Queued {
  uint32_t run = 0;
  std::unique_ptr<SendLog> log;
  SendStats stats;
  double in_per_s = 0;
};
// Sends `n` events all-out, printing progress to stderr every few seconds.
Queued QueueEvents(Sut& sut, const PayloadFactory& payloads, uint64_t n, int window);

// Starts the system under test. If it cannot: prints why on stdout as "cannot start <label>",
// records "ok": false and "error" in `j`, and returns false; the scenario then returns `j`.
bool StartOrRecord(Sut& sut, const std::string& label, nlohmann::json& j);

const char* Verdict(bool met);
// Writes the scenario's JSON to --json (default `default_path`) and returns the exit status
// (0 when j["ok"] is true).
int WriteScenario(const Args& args, const std::string& default_path, const nlohmann::json& j);
void Note(const std::string& text);  // progress line on stderr

// Each scenario prints a summary on stdout and returns its JSON, with "ok" (ran and lost
// nothing; targets are reported, not enforced).
nlohmann::json ScenarioThroughput(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioLatency(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioMemory(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioRecovery(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioDrain(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioBacklog(const Args& args, const SutPaths& paths);
nlohmann::json ScenarioAdmin(const Args& args, const SutPaths& paths);

}  // namespace slussen::bench
