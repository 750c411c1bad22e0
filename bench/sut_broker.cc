// Slussen in broker mode as a system under test (hub/DESIGN.md "Broker mode"): the bench's
// private RabbitMQ node (rabbit_node.h), the hub's queues imported from `slussen
// --broker-definitions` with the config's queue prefix, broker users for the hub, the bench's
// sender (an <adapter> of the hub; it stamps its login as user-id, as the adapters do) and its
// receivers, and the hub started as a client of the node. The load goes where the adapters' would:
// into /amq/queue/PREFIXevents, out of /amq/queue/PREFIXout.DESTINATION. The system's work is both
// processes': the hub's and the node's CPU and storage writes are measured and added up.
#include <sys/stat.h>

#include <chrono>
#include <random>

#include "rabbit_node.h"
#include "slussen_sut.h"
#include "sut.h"
#include "testing/child_process.h"
#include "testing/files.h"
#include "wire/broker_addressing.h"

namespace slussen::bench {
namespace {

constexpr char kPrefix[] = "bench.";
constexpr char kHubUser[] = "slussen-hub";
constexpr char kSenderUser[] = "bench-sender";
constexpr char kReceiverUser[] = "bench-receiver";
constexpr char kSecretFile[] = "broker.secret";  // beside the config, which names it relatively

std::string RandomPassword() {
  std::random_device random;
  std::string s;
  for (int i = 0; i < 24; ++i) s += "0123456789abcdef"[random() % 16];
  return s;
}

class BrokerSut final : public Sut {
 public:
  BrokerSut(const SutPaths& paths, std::pair<std::string, std::string> kommun_vc)
      : paths_(paths), node_(paths.rabbitmq_script), hub_(paths, {std::move(kommun_vc)}) {
    addressing_.enabled = true;
    addressing_.queue_prefix = kPrefix;
  }
  ~BrokerSut() override { Stop(); }
  std::string name() const override { return "slussen-broker"; }

  bool Start(std::string* error) override {
    password_ = RandomPassword();
    std::string users;
    for (const char* user : {kHubUser, kSenderUser, kReceiverUser}) {
      users += std::string(user) + ":" + password_ + " ";
    }
    if (!node_.Start(users, error)) return false;
    hub_.set_broker("<broker url=\"amqp://" + node_.url() + "\" queue-prefix=\"" + kPrefix +
                        "\"><login user=\"" + kHubUser + "\" password-file=\"" + kSecretFile +
                        "\"/></broker>",
                    std::string("<adapter name=\"bench\"><login user=\"") + kSenderUser +
                        "\"/><sends as=\"*\"/></adapter>");
    if (!hub_.Prepare(error)) return false;
    const std::string secret = hub_.data_dir() + "/" + kSecretFile;
    testing::WriteFile(secret, password_ + "\n");
    ::chmod(secret.c_str(), 0600);
    // The queues, exactly as the hub asks for them.
    const testing::ProcessResult defs = testing::RunProcess(
        {paths_.hub_binary, "--config", hub_.config_path(), "--broker-definitions"});
    if (!defs.status.Ok()) {
      *error = "slussen --broker-definitions failed (" + defs.status.ToString() + "):\n" + defs.err;
      return false;
    }
    const std::string defs_file = hub_.data_dir() + "/broker-definitions.json";
    testing::WriteFile(defs_file, defs.out);
    if (!node_.Import(defs_file, error)) return false;
    return hub_.Restart(error);
  }

  void Stop() override {
    hub_.Stop();  // first: it drains, then leaves the broker
    node_.Stop();
  }
  std::string unavailable() const override { return RabbitMqMissing(); }

  std::string url() const override { return node_.url(); }
  std::string send_address() const override { return addressing_.Address("events"); }
  std::vector<std::string> receive_addresses() const override {
    std::vector<std::string> out;
    for (const auto& logical : hub_.receive_addresses()) {
      out.push_back(addressing_.Address(logical));
    }
    return out;
  }
  pid_t pid() const override { return hub_.pid(); }
  std::vector<SutProcess> processes() const override {
    return {{"hub", hub_.pid()}, {"rabbitmq", node_.pid()}};
  }
  std::string data_dir() const override { return hub_.data_dir(); }
  bool durable_termini() const override { return true; }
  std::optional<SutLogin> sender_login() const override {
    return SutLogin{kSenderUser, password_};
  }
  std::optional<SutLogin> receiver_login() const override {
    return SutLogin{kReceiverUser, password_};
  }

 private:
  SutPaths paths_;
  BenchRabbitNode node_;
  SlussenSut hub_;
  BrokerAddressing addressing_;
  std::string password_;
};

}  // namespace

std::unique_ptr<Sut> MakeBrokerSut(const SutPaths& paths,
                                   std::pair<std::string, std::string> kommun_vc) {
  return std::make_unique<BrokerSut>(paths, std::move(kommun_vc));
}

}  // namespace slussen::bench
