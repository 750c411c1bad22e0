// The raw Proton peer as a system under test (a child process: `slussen-bench raw-peer`).
#include <chrono>

#include "sut.h"
#include "testing/child_process.h"
#include "testing/files.h"

namespace slussen::bench {
namespace {

using testing::MakeTempDir;
using testing::RemoveTree;

class RawSut final : public Sut {
 public:
  explicit RawSut(SutPaths paths) : paths_(std::move(paths)) {}
  ~RawSut() override { Stop(); }
  std::string name() const override { return "raw"; }
  bool Start(std::string* error) override {
    dir_ = MakeTempDir(paths_.work_dir, "raw-");
    const Status started = process_.Start({paths_.self_binary, "raw-peer"},
                                          dir_ + "/raw-peer.log", std::chrono::seconds(10));
    if (!started) *error = started.error();
    return started.ok();
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
  testing::ChildProcess process_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Sut> MakeRawSut(const SutPaths& paths) { return std::make_unique<RawSut>(paths); }

}  // namespace slussen::bench
