#include "testing/broker_hub.h"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <atomic>
#include <random>
#include <vector>

#include "wire/broker_addressing.h"
#include "testing/child_process.h"
#include "testing/files.h"

namespace slussen::testing {
namespace {

// RabbitMQ's stored form of a password (rabbit_password_hashing_sha256, the default):
// base64(salt ++ sha256(salt ++ password)) with a 4-byte salt.
std::string RabbitPasswordHash(const std::string& password) {
  unsigned char salted[4 + SHA256_DIGEST_LENGTH];
  if (RAND_bytes(salted, 4) != 1) return "";
  std::string input(reinterpret_cast<const char*>(salted), 4);
  input += password;
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), salted + 4);
  unsigned char out[4 * ((sizeof salted + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(out, salted, static_cast<int>(sizeof salted));
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

// `definitions` (a JSON object) with these users added, each with every right on vhost /: one
// import then sets up a test's queues and logins, instead of a rabbitmqctl call for each user
// (about a second apiece).
std::string WithUsers(std::string definitions, const std::vector<std::string>& users,
                      const std::string& password) {
  std::string json = "\"users\": [";
  std::string perms = "\"permissions\": [";
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    json += sep + "{\"name\": \"" + users[i] + "\", \"password_hash\": \"" +
            RabbitPasswordHash(password) +
            "\", \"hashing_algorithm\": \"rabbit_password_hashing_sha256\", \"tags\": \"\"}";
    perms += sep + "{\"user\": \"" + users[i] +
             "\", \"vhost\": \"/\", \"configure\": \".*\", \"write\": \".*\", \"read\": \".*\"}";
  }
  const auto brace = definitions.find('{');
  if (brace != std::string::npos) definitions.insert(brace + 1, json + "], " + perms + "], ");
  return definitions;
}

}  // namespace

adapter::HubConnectionConfig BrokerHub::AdapterConnection() const {
  adapter::HubConnectionConfig c;
  c.url = node->url();
  c.sasl = adapter::HubConnectionConfig::Sasl{"PLAIN", adapter_user, password};
  c.broker.enabled = true;
  c.broker.queue_prefix = prefix;
  c.reconnect_initial = std::chrono::milliseconds(50);
  c.reconnect_max = std::chrono::milliseconds(500);
  return c;
}

std::string BrokerHub::Address(const std::string& logical) const {
  BrokerAddressing a;
  a.enabled = true;
  a.queue_prefix = prefix;
  return a.Address(logical);
}

::testing::AssertionResult StartBrokerHub(const std::string& dir, BrokerHub& out,
                                          TestConfigOptions options,
                                          const BrokerHubOptions& broker) {
  std::string error;
  out.node = broker.node != nullptr ? broker.node : RabbitNode::Shared(&error);
  if (out.node == nullptr) return ::testing::AssertionFailure() << error;
  std::random_device random;
  const std::string suffix = std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
  out.prefix = "t" + suffix + ".";
  out.hub_user = "hub-" + suffix;
  out.adapter_user = "adapter-" + suffix;
  out.password = "a-test-password-of-some-length";
  const std::string secret = dir + "/broker.secret";
  WriteFile(secret, out.password + "\n");
  ::chmod(secret.c_str(), 0600);
  options.broker_element = "<broker url=\"" + out.node->url() + "\" queue-prefix=\"" +
                           out.prefix + "\"><login user=\"" + out.hub_user +
                           "\" password-file=\"" + secret + "\"/>" + broker.broker_children +
                           "</broker>";
  options.adapters = "<adapter name=\"broker-test\"><login user=\"" + out.adapter_user +
                     "\"/><sends as=\"*\"/><reads destinations=\"*\"/>"
                     "<receipts-for destinations=\"*\"/></adapter>";
  out.config_path = WriteTestConfig(dir, options);
  const ProcessResult defs =
      RunProcess({SlussenBinary(), "--config", out.config_path, "--broker-definitions"});
  if (!defs.status.Ok()) {
    return ::testing::AssertionFailure() << "--broker-definitions: " << defs.err;
  }
  const std::string definitions = WithUsers(defs.out, {out.hub_user, out.adapter_user}, out.password);
  if (auto imported = out.node->Import(definitions); !imported) {
    return ::testing::AssertionFailure() << imported.error();
  }
  out.hub = std::make_unique<HubProcess>(out.config_path, dir + "/hub.log");
  return out.hub->Start();
}

}  // namespace slussen::testing
