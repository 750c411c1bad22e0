// The bench's own peers as systems under test, each a child process of slussen-bench: the raw
// Proton peer (`slussen-bench raw-peer`) and the journal peer (`slussen-bench journal-peer --dir`).
#include <chrono>

#include "sut.h"
#include "testing/child_process.h"
#include "testing/files.h"

namespace slussen::bench {
namespace {

using testing::MakeTempDir;
using testing::RemoveTree;

class PeerSut final : public Sut {
 public:
  // `command`: the slussen-bench subcommand; `takes_dir`: it gets its work dir as --dir.
  PeerSut(SutPaths paths, std::string name, std::string command, bool takes_dir)
      : paths_(std::move(paths)),
        name_(std::move(name)),
        command_(std::move(command)),
        takes_dir_(takes_dir) {}
  ~PeerSut() override { Stop(); }
  std::string name() const override { return name_; }
  bool Start(std::string* error) override {
    dir_ = MakeTempDir(paths_.work_dir, name_ + "-");
    std::vector<std::string> argv = {paths_.self_binary, command_};
    if (takes_dir_) argv.insert(argv.end(), {"--dir", dir_});
    const Status started =
        process_.Start(argv, dir_ + "/" + command_ + ".log", std::chrono::seconds(10));
    if (!started) *error = started.error();
    return started.ok();
  }
  void Stop() override {
    process_.Kill9();  // nothing to save: a journal file is thrown away with the directory
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
  std::string name_;
  std::string command_;
  bool takes_dir_;
  testing::ChildProcess process_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Sut> MakeRawSut(const SutPaths& paths) {
  return std::make_unique<PeerSut>(paths, "raw", "raw-peer", false);
}

std::unique_ptr<Sut> MakeJournalSut(const SutPaths& paths) {
  return std::make_unique<PeerSut>(paths, "journal", "journal-peer", true);
}

}  // namespace slussen::bench
