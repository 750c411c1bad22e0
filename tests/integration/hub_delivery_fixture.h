#pragma once
// The fixture of the delivery scenarios (hub_delivery_test.cc in both modes,
// hub_delivery_embedded_test.cc on the embedded listener only): a hub in the test's mode
// (testing/hub_mode_fixture.h), clients that send events and receivers on the out addresses, and
// the checks of what a receiver gets under the wire contract.
#include <google/protobuf/util/message_differencer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "hub_client.h"
#include "testing/hub_mode_fixture.h"
#include "testing/message_collector.h"
#include "testing/test_envelopes.h"

namespace slussen::testing::delivery_itest {

using client::Disposition;
using client::IncomingMessage;
using client::OutcomeName;
using client::SendOutcome;
using std::chrono::seconds;

inline const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));
inline const std::string kVcOut = OutAddress(VardcentralDestination(kTestVardcentral));

class HubIntegration : public HubModeTest {
 protected:
  // Sends and expects `accepted` (the hub's, or in broker mode the broker's).
  void SendAccepted(ModeClient& c, const v1::Envelope& env) {
    const SendOutcome out = c.Send("events", ToMessage(env));
    ASSERT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << "event " << env.event_id() << " got " << OutcomeName(out.kind) << " "
        << out.condition << ": " << out.description << HubLog();
  }

  int Attach(ModeClient& c, const std::string& logical, MessageCollector& collector,
             int credit = 100) {
    std::string error;
    const int id = c.Receive(logical, collector.Handler(), credit, &error);
    EXPECT_GE(id, 0) << "attach to " << logical << " refused: " << error << HubLog();
    return id;
  }

  // A client with receivers on the kommun's and the vårdcentral's address, or nullptr (with a
  // test failure recorded).
  std::unique_ptr<ModeClient> AttachKommunAndVc(MessageCollector& kommun, MessageCollector& vc) {
    auto c = NewClient();
    if (!c || Attach(*c, kKommunOut, kommun) < 0 || Attach(*c, kVcOut, vc) < 0) return nullptr;
    return c;
  }

  // `n` new Inskrivningsmeddelanden as messages, and their event ids.
  static void NewInskrivningar(int n, std::vector<client::OutgoingMessage>* msgs,
                               std::set<std::string>* ids) {
    for (int i = 0; i < n; ++i) {
      const v1::Envelope env = ValidInskrivning();
      ids->insert(env.event_id());
      msgs->push_back(ToMessage(env));
    }
  }

  // Sends `env` to a kommun receiver that answers the first delivery of a message with `first`
  // and accepts the rest, and waits until the event came a second time; `got`: all it received.
  void SendAndSeeTwice(Disposition first, const v1::Envelope& env,
                       std::vector<IncomingMessage>* got) {
    MessageCollector kommun([first](const IncomingMessage&, int seen_before) {
      return seen_before == 0 ? first : Disposition::kAccept;
    });
    auto c = NewClient();
    ASSERT_TRUE(c);
    ASSERT_GE(Attach(*c, kKommunOut, kommun), 0);
    ASSERT_NO_FATAL_FAILURE(SendAccepted(*c, env));
    ASSERT_TRUE(kommun.WaitForId(env.event_id(), 2, seconds(60)))
        << Describe(kommun.Messages()) << HubLog();
    *got = kommun.Messages();
  }

  // The message on `logical`'s wire address is `sent`, as the wire contract says.
  void ExpectOutboundMessage(const IncomingMessage& m, const std::string& logical,
                             const v1::Envelope& sent) {
    SCOPED_TRACE("message on " + logical);
    EXPECT_EQ(m.address, Address(logical));
    EXPECT_EQ(m.message_id, sent.event_id());
    EXPECT_EQ(m.subject, "Inskrivningsmeddelande");
    EXPECT_EQ(m.content_type, "application/x-protobuf");
    EXPECT_TRUE(m.durable);
    EXPECT_TRUE(m.body_is_binary) << "body must be one AMQP data section";
    EXPECT_THAT(m.properties, ::testing::Contains(::testing::Pair("event_type",
                                                                  "Inskrivningsmeddelande")));
    EXPECT_THAT(m.properties,
                ::testing::Contains(::testing::Pair("case_id", CaseIdString(sent))));
    EXPECT_THAT(m.properties, ::testing::Contains(::testing::Pair("schema_version", "1")));
    v1::Envelope got;
    ASSERT_TRUE(got.ParseFromString(m.body)) << "body does not parse as an Envelope";
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, sent))
        << "sent:\n" << sent.DebugString() << "received:\n" << got.DebugString();
  }

  // Both receivers got `env`, as the wire contract says.
  void ExpectOnKommunAndVc(MessageCollector& kommun, MessageCollector& vc,
                           const v1::Envelope& env) {
    ASSERT_TRUE(kommun.WaitForId(env.event_id())) << Describe(kommun.Messages());
    ASSERT_TRUE(vc.WaitForId(env.event_id())) << Describe(vc.Messages());
    ExpectOutboundMessage(kommun.Messages().front(), kKommunOut, env);
    ExpectOutboundMessage(vc.Messages().front(), kVcOut, env);
  }

  int64_t StoredCopies(const v1::Envelope& env) {
    return store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + env.event_id() +
                            "'");
  }
};

}  // namespace slussen::testing::delivery_itest
