// The raw Proton peer as a system under test (a child process: `slussen-bench raw-peer`), and the
// temporary directories of all systems under test.
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "child_process.h"
#include "sut.h"

namespace slussen::bench {

std::string MakeTempDir(const std::string& parent, const std::string& prefix) {
  std::filesystem::create_directories(parent);
  std::string tmpl = parent + "/" + prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

void RemoveTree(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

namespace {

class RawSut final : public Sut {
 public:
  explicit RawSut(SutPaths paths) : paths_(std::move(paths)) {}
  ~RawSut() override { Stop(); }
  std::string name() const override { return "raw"; }
  bool Start(std::string* error) override {
    dir_ = MakeTempDir(paths_.work_dir, "raw-");
    return process_.Start({paths_.self_binary, "raw-peer"}, dir_ + "/raw-peer.log",
                          std::chrono::seconds(10), error);
  }
  void Stop() override {
    process_.Kill9();  // nothing to save
    RemoveTree(dir_);
    dir_.clear();
  }
  std::string url() const override { return process_.url(); }
  std::string send_address() const override { return "events"; }
  std::vector<std::string> receive_addresses() const override { return {"out/1", "out/2"}; }
  pid_t pid() const override { return process_.pid(); }
  std::string data_dir() const override { return dir_; }

 private:
  SutPaths paths_;
  ServerProcess process_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Sut> MakeRawSut(const SutPaths& paths) { return std::make_unique<RawSut>(paths); }

}  // namespace slussen::bench
