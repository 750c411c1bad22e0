#include "slussen_sut.h"

#include <chrono>

#include "hub_config.h"

namespace slussen::bench {

SlussenSut::SlussenSut(SutPaths paths, std::vector<std::pair<std::string, std::string>> kommun_vc)
    : paths_(std::move(paths)), kommun_vc_(std::move(kommun_vc)) {}

SlussenSut::~SlussenSut() { Stop(); }

bool SlussenSut::Start(std::string* error) {
  dir_ = MakeTempDir(paths_.work_dir, "slussen-");
  if (dir_.empty()) {
    *error = "cannot create a directory under " + paths_.work_dir;
    return false;
  }
  config_ = WriteHubConfig(dir_, kommun_vc_);
  return Restart(error);
}

bool SlussenSut::Restart(std::string* error) {
  // A store with millions of events may take a while to open; 10 minutes is "it hangs".
  return process_.Start({paths_.hub_binary, "--config", config_}, log_path(),
                        std::chrono::minutes(10), error);
}

void SlussenSut::Stop() {
  process_.Stop();
  RemoveTree(dir_);
  dir_.clear();
}

std::vector<std::string> SlussenSut::addresses(std::size_t i) const {
  return {KommunAddress(kommun_vc_.at(i).first), VardcentralAddress(kommun_vc_.at(i).second)};
}

std::unique_ptr<Sut> MakeSlussenSut(const SutPaths& paths,
                                    std::vector<std::pair<std::string, std::string>> kommun_vc) {
  return std::make_unique<SlussenSut>(paths, std::move(kommun_vc));
}

}  // namespace slussen::bench
