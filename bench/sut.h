#pragma once
// A system under test: something the benchmark sends to and receives from over AMQP 1.0, with a
// process whose CPU and memory are measured and a data directory whose disk is probed.
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace slussen::bench {

struct SutPaths {
  std::string hub_binary;       // build's hub/slussen
  std::string self_binary;      // this program (for the raw and journal peer children)
  std::string rabbitmq_script;  // scripts/rabbitmq-bench.sh
  std::string work_dir;         // parent of per-run temporary directories
};

// One process of a system under test, measured on its own (CPU, storage writes, RSS) and added
// into the system's figures. `role`: "hub", "rabbitmq", or the system's name.
struct SutProcess {
  std::string role;
  pid_t pid = -1;
};

// A SASL PLAIN login of the load generator (broker mode: the broker checks it, and the sender
// stamps its messages' user-id with `user` as the adapters do).
struct SutLogin {
  std::string user;
  std::string password;
};

class Sut {
 public:
  virtual ~Sut() = default;
  // "raw", "journal", "slussen", "rabbitmq", "slussen-broker"
  virtual std::string name() const = 0;
  virtual bool Start(std::string* error) = 0;
  virtual void Stop() = 0;
  virtual std::string url() const = 0;
  virtual std::string send_address() const = 0;
  // One address per fan-out destination.
  virtual std::vector<std::string> receive_addresses() const = 0;
  virtual pid_t pid() const = 0;
  // Every process whose work is the system's (broker mode: the hub and the RabbitMQ node).
  virtual std::vector<SutProcess> processes() const { return {{name(), pid()}}; }
  // Logins of the sender and the receivers; none: anonymous.
  virtual std::optional<SutLogin> sender_login() const { return std::nullopt; }
  virtual std::optional<SutLogin> receiver_login() const { return std::nullopt; }
  virtual std::string data_dir() const = 0;
  virtual bool durable_termini() const { return false; }
  // After a failed Start(): why this system cannot run on this machine at all (then its column
  // says "not available: ..." instead of failing the run), or empty.
  virtual std::string unavailable() const { return {}; }
};

std::unique_ptr<Sut> MakeRawSut(const SutPaths& paths);
std::unique_ptr<Sut> MakeJournalSut(const SutPaths& paths);
// `kommun_vc`: (kommunkod, vårdcentral) destination pairs; the first pair is what
// receive_addresses() returns.
std::unique_ptr<Sut> MakeSlussenSut(const SutPaths& paths,
                                    std::vector<std::pair<std::string, std::string>> kommun_vc);
std::unique_ptr<Sut> MakeRabbitSut(const SutPaths& paths);
// Slussen in broker mode (hub/DESIGN.md "Broker mode") on a private RabbitMQ node started by
// paths.rabbitmq_script: the hub's queues imported from `slussen --broker-definitions`, the bench
// sending to and receiving from the broker's queues with logins of its own. Pair as for Slussen.
std::unique_ptr<Sut> MakeBrokerSut(const SutPaths& paths,
                                   std::pair<std::string, std::string> kommun_vc);

}  // namespace slussen::bench
