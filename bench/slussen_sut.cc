#include "slussen_sut.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>

#include "interrupt_cleanup.h"

#include "synthetic_events.h"
#include "testing/files.h"
#include "testing/test_config.h"

namespace slussen::bench {
namespace {

using testing::KommunDestination;
using testing::OutAddress;
using testing::VardcentralDestination;

// For each (kommunkod, vårdcentral HSA-id) pair exactly those two destinations, so that every
// event of a patient of that kommun listed at that vårdcentral fans out to exactly two receivers.
// One hospital sender (the demo chains'), every hospital kind routed to kommun and primary care.
testing::TestConfigOptions BenchConfig(
    const std::vector<std::pair<std::string, std::string>>& kommun_vc,
    const std::string& admin_element) {
  testing::TestConfigOptions o;
  o.admin_element = admin_element;
  o.hub_name = "slussen-bench";
  o.store_path = "bench-hub.db";
  o.store_flush_interval.clear();  // the hub's default, as a user runs it
  o.kommuner.clear();
  o.vardcentraler.clear();
  for (const auto& [kommun, vc] : kommun_vc) {
    o.kommuner.push_back(kommun);
    o.vardcentraler.emplace_back(vc, "bench " + vc);
  }
  o.destinations.clear();
  o.senders = {{client::kSyntheticSender, "bench hospital", testing::kHospitalKinds}};
  o.routes = testing::TestConfigOptions::HospitalRoutes();
  return o;
}

}  // namespace

SlussenSut::SlussenSut(SutPaths paths, std::vector<std::pair<std::string, std::string>> kommun_vc)
    : paths_(std::move(paths)), kommun_vc_(std::move(kommun_vc)) {}

SlussenSut::~SlussenSut() { Stop(); }

bool SlussenSut::Start(std::string* error) { return Prepare(error) && Restart(error); }

bool SlussenSut::Prepare(std::string* error) {
  dir_ = testing::MakeTempDir(paths_.work_dir, "slussen-");
  if (dir_.empty()) {
    *error = "cannot create a directory under " + paths_.work_dir;
    return false;
  }
  testing::TestConfigOptions options = BenchConfig(kommun_vc_, admin_element_);
  if (!broker_element_.empty()) {
    options.broker_element = broker_element_;
    options.adapters = adapters_;
  }
  config_ = testing::WriteTestConfig(dir_, options, "bench-hub.xml");
  return true;
}

bool SlussenSut::Restart(std::string* error) {
  on_interrupt_.reset();
  // A store with millions of events may take a while to open; 10 minutes is "it hangs".
  const Status started = process_.Start({paths_.hub_binary, "--config", config_}, log_path(),
                                        std::chrono::minutes(10));
  if (!started) {
    *error = started.error();
    return false;
  }
  const pid_t pid = process_.pid();
  on_interrupt_ = std::make_unique<OnInterrupt>([pid, dir = dir_] {
    // Only while it is still our running child: a reaped pid may be someone else's by now.
    if (waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (!std::getenv("SLUSSEN_BENCH_KEEP")) testing::RemoveTree(dir);
  });
  return true;
}

void SlussenSut::Stop() {
  process_.Stop();
  on_interrupt_.reset();
  if (!std::getenv("SLUSSEN_BENCH_KEEP")) testing::RemoveTree(dir_);
  dir_.clear();
}

std::vector<std::string> SlussenSut::addresses(std::size_t i) const {
  return {OutAddress(KommunDestination(kommun_vc_.at(i).first)),
          OutAddress(VardcentralDestination(kommun_vc_.at(i).second))};
}

std::unique_ptr<Sut> MakeSlussenSut(const SutPaths& paths,
                                    std::vector<std::pair<std::string, std::string>> kommun_vc) {
  return std::make_unique<SlussenSut>(paths, std::move(kommun_vc));
}

}  // namespace slussen::bench
