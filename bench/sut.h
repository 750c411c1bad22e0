#pragma once
// A system under test: something the benchmark sends to and receives from over AMQP 1.0, with a
// process whose CPU and memory are measured and a data directory whose disk is probed.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace slussen::bench {

struct SutPaths {
  std::string hub_binary;       // build's hub/slussen
  std::string self_binary;      // this program (for the raw and journal peer children)
  std::string rabbitmq_script;  // scripts/rabbitmq-bench.sh
  std::string work_dir;         // parent of per-run temporary directories
};

class Sut {
 public:
  virtual ~Sut() = default;
  virtual std::string name() const = 0;  // "raw", "journal", "slussen", "rabbitmq"
  virtual bool Start(std::string* error) = 0;
  virtual void Stop() = 0;
  virtual std::string url() const = 0;
  virtual std::string send_address() const = 0;
  // One address per fan-out destination.
  virtual std::vector<std::string> receive_addresses() const = 0;
  virtual pid_t pid() const = 0;
  virtual std::string data_dir() const = 0;
  virtual bool durable_termini() const { return false; }
};

std::unique_ptr<Sut> MakeRawSut(const SutPaths& paths);
std::unique_ptr<Sut> MakeJournalSut(const SutPaths& paths);
// `kommun_vc`: (kommunkod, vårdcentral) destination pairs; the first pair is what
// receive_addresses() returns.
std::unique_ptr<Sut> MakeSlussenSut(const SutPaths& paths,
                                    std::vector<std::pair<std::string, std::string>> kommun_vc);
std::unique_ptr<Sut> MakeRabbitSut(const SutPaths& paths);

}  // namespace slussen::bench
