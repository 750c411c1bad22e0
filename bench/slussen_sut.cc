#include "slussen_sut.h"

#include <chrono>
#include <cstdlib>

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

bool SlussenSut::Start(std::string* error) {
  dir_ = testing::MakeTempDir(paths_.work_dir, "slussen-");
  if (dir_.empty()) {
    *error = "cannot create a directory under " + paths_.work_dir;
    return false;
  }
  config_ =
      testing::WriteTestConfig(dir_, BenchConfig(kommun_vc_, admin_element_), "bench-hub.xml");
  return Restart(error);
}

bool SlussenSut::Restart(std::string* error) {
  // A store with millions of events may take a while to open; 10 minutes is "it hangs".
  const Status started = process_.Start({paths_.hub_binary, "--config", config_}, log_path(),
                                        std::chrono::minutes(10));
  if (!started) *error = started.error();
  return started.ok();
}

void SlussenSut::Stop() {
  process_.Stop();
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
