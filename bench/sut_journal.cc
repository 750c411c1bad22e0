// The journal peer as a system under test (a child process: `slussen-bench journal-peer`).
#include <chrono>

#include "sut.h"
#include "testing/child_process.h"
#include "testing/files.h"

namespace slussen::bench {
namespace {

using testing::MakeTempDir;
using testing::RemoveTree;

class JournalSut final : public Sut {
 public:
  explicit JournalSut(SutPaths paths) : paths_(std::move(paths)) {}
  ~JournalSut() override { Stop(); }
  std::string name() const override { return "journal"; }
  bool Start(std::string* error) override {
    dir_ = MakeTempDir(paths_.work_dir, "journal-");
    const Status started = process_.Start({paths_.self_binary, "journal-peer", "--dir", dir_},
                                          dir_ + "/journal-peer.log", std::chrono::seconds(10));
    if (!started) *error = started.error();
    return started.ok();
  }
  void Stop() override {
    process_.Kill9();  // its file is thrown away with the directory
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

std::unique_ptr<Sut> MakeJournalSut(const SutPaths& paths) {
  return std::make_unique<JournalSut>(paths);
}

}  // namespace slussen::bench
