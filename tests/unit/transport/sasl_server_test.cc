// The hub's SASL server on an in-memory connection (no TLS here: the plain="allow" policy of a
// loopback listener): PLAIN's outcome is sent only when the check comes back, a failure is
// amqp:unauthorized-access, and the login binds the connection to its adapter.
#include "transport/sasl_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <proton/connection.h>

#include <string>

#include "unit/transport/connection_pair.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

// The hub's open reached the client.
bool HubOpened(proton::io::connection_driver& client) {
  return (pn_connection_state(amqp::Raw(client.connection())) & PN_REMOTE_ACTIVE) != 0;
}

struct Check {
  int calls = 0;
  std::string user;
  std::string password;
};

class SaslServerTest : public ::testing::Test {
 protected:
  SaslServerTest() : config_(TestTransportConfig()) {
    AdapterConfig kommun;
    kommun.name = "kommun";
    kommun.logins.push_back({.mechanism = AdapterLogin::Mechanism::kPlain, .user = "k1380",
                             .password_hash = "$argon2id$unused"});
    config_.adapters.push_back(std::move(kommun));
    security_.sasl_policy = {true, &config_};
    security_.require_auth = false;
    security_.check_plain = [this](const std::string& user, std::string password) {
      ++check_.calls;
      check_.user = user;
      check_.password = std::move(password);
      return accept_checks_;
    };
  }

  proton::connection_options PlainClient(const std::string& user, const std::string& password) {
    return proton::connection_options()
        .sasl_enabled(true)
        .sasl_allowed_mechs("PLAIN")
        .sasl_allow_insecure_mechs(true)
        .user(user)
        .password(password);
  }

  Config config_;
  AmqpConnection::Security security_;
  Check check_;
  bool accept_checks_ = true;
  RecordingInbox inbox_;
  LinkIdSource link_ids_;
  TransportCounters counters_;
  std::atomic<bool> accepting_{true};
};

TEST_F(SaslServerTest, PlainWaitsForItsCheckAndThenBindsTheAdapter) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      PlainClient("k1380", "s3cret-password"), &security_);
  EXPECT_EQ(check_.calls, 1);
  EXPECT_EQ(check_.user, "k1380");
  EXPECT_EQ(check_.password, "s3cret-password");
  EXPECT_TRUE(pair.server.plain_pending());
  EXPECT_FALSE(HubOpened(pair.client));  // no outcome yet, so no open either

  pair.server.PlainChecked(true, 0);
  pair.server.Tick(1);
  pair.Pump();
  EXPECT_FALSE(pair.server.plain_pending());
  EXPECT_TRUE(HubOpened(pair.client));
  EXPECT_FALSE(pair.handler.closed) << pair.handler.connection_error;
  EXPECT_EQ(counters_.connections_unauthorized, 0u);
  // The connection may now do what its adapter may: attach to a destination it reads.
  proton::receiver r = pair.OpenReceiver("out/letter", 1);
  pair.Pump();
  EXPECT_FALSE(pair.handler.closed);
}

TEST_F(SaslServerTest, AFailedCheckIsUnauthorizedAccess) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      PlainClient("k1380", "wrong"), &security_);
  pair.server.PlainChecked(false, 0);
  pair.server.Tick(1);
  pair.Pump();
  EXPECT_TRUE(pair.handler.closed);
  EXPECT_THAT(pair.client.transport().error().name(), HasSubstr("amqp:unauthorized-access"));
  EXPECT_EQ(counters_.connections_unauthorized, 1u);
}

TEST_F(SaslServerTest, AHeldBackFailureIsSentAtItsTime) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      PlainClient("k1380", "wrong"), &security_);
  pair.server.Tick(1000);
  pair.server.PlainChecked(false, 3000);
  EXPECT_EQ(pair.server.Tick(2000), 3000);
  pair.Pump();
  EXPECT_FALSE(pair.handler.closed);
  pair.server.Tick(3000);
  pair.Pump();
  EXPECT_TRUE(pair.handler.closed);
  EXPECT_THAT(pair.client.transport().error().name(), HasSubstr("amqp:unauthorized-access"));
}

TEST_F(SaslServerTest, ACheckThatCannotBeTakenFailsAtOnce) {
  accept_checks_ = false;
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      PlainClient("k1380", "whatever"), &security_);
  EXPECT_FALSE(pair.server.plain_pending());
  EXPECT_TRUE(pair.handler.closed);
  EXPECT_THAT(pair.client.transport().error().name(), HasSubstr("amqp:unauthorized-access"));
}

TEST_F(SaslServerTest, AnonymousBindsTheAnonymousAdapterOnAPlainListener) {
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      proton::connection_options().sasl_enabled(true).sasl_allowed_mechs("ANONYMOUS"),
                      &security_);
  EXPECT_EQ(check_.calls, 0);
  EXPECT_TRUE(HubOpened(pair.client));
  EXPECT_FALSE(pair.handler.closed);
}

TEST_F(SaslServerTest, WithoutPlainAllowedAnUnencryptedClientIsOfferedNothing) {
  security_.sasl_policy.allow_plain = false;
  security_.require_auth = true;
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      PlainClient("k1380", "s3cret-password"), &security_);
  EXPECT_EQ(check_.calls, 0);  // the password was never sent
  EXPECT_TRUE(pair.handler.closed);
  EXPECT_THAT(pair.client.transport().error().name(), HasSubstr("amqp:unauthorized-access"));
}

TEST_F(SaslServerTest, AClientSkippingSaslIsRefusedWhenAuthenticationIsRequired) {
  security_.require_auth = true;
  ConnectionPair pair(1, config_, inbox_, link_ids_, counters_, accepting_,
                      proton::connection_options().sasl_enabled(false), &security_);
  EXPECT_FALSE(HubOpened(pair.client));
  // Refused by Proton (policy-error "Client skipped authentication"): the hub ends it.
  EXPECT_TRUE(pair.server.Finished());
  EXPECT_EQ(counters_.connections_failed, 1u);
}

}  // namespace
}  // namespace slussen::testing
