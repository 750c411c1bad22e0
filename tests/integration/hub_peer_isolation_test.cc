// Integration tests: a misbehaving peer, played by a client the project did not write (a raw AMQP
// framer, tests/util/raw_amqp_socket.h), disturbs nobody else and is bounded (issue 9).
//
// NOT EXPECTED TO PASS BEFORE THE PER-CONNECTION TRANSPORT IS MERGED (issue 9, "What must work"
// 1). Against the Proton-container transport of today these fail, on purpose:
//   - UndecodableTransferClosesOnlyTheOffender: the hub resets every connection instead of
//     closing the offender; the offender gets no close, the other two stall.
//   - AThousandOffendersLeakNoDescriptorsAndSigtermExitsZero: the same, plus a leaked socket
//     per reset.
//   - UnfinishedDeliveryIsRefusedOnceItPassesTheLimit: an unfinished delivery is buffered whole,
//     never refused.
//   - CreditHoardingReceiverCannotStarveAnother: no per-link unsettled cap (the config attribute
//     does not exist yet, so today the hub refuses the test's config).
//   - TwoDataSectionsAreRejected: Proton keeps the last data section and the hub accepts.
// The message-id tests pass today (ingest checks it; the transport fills it in).
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hub_client.h"
#include "util/hub_fixture.h"
#include "util/message_collector.h"
#include "util/raw_amqp_socket.h"
#include "util/test_envelopes.h"

namespace slussen::testing {
namespace {

using client::HubClient;
using client::OutcomeName;
using client::OutgoingMessage;
using client::SendOutcome;
using std::chrono::seconds;
using ::testing::HasSubstr;

const std::string kKommunOut = OutAddress(KommunDestination(kTestKommun));
// What the hub is expected to close an undecodable transfer's connection with.
constexpr char kDecodeError[] = "amqp:decode-error";

std::string RandomBytes(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& ch : s) ch = static_cast<char>(rng() & 0xff);
  return s;
}

// Payloads that are not an encoded AMQP message (the empty one is the probe's 30-byte transfer).
const std::vector<std::string>& UndecodablePayloads() {
  static const std::vector<std::string> payloads = {
      std::string(),
      "\xff\xff\xff\xff" + RandomBytes(60, 1),
      std::string("\x00\x53\x75\xa0\xff\x01", 6),  // a data section announcing 255 bytes, holding 1
  };
  return payloads;
}

// Open descriptors of a process (Linux), or only its sockets.
int CountFds(pid_t pid, bool sockets_only = false) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (sockets_only) {
      char target[64] = {};
      const ssize_t len = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (len <= 0 || std::string(target, static_cast<std::size_t>(len)).rfind("socket:", 0) != 0) {
        continue;
      }
    }
    ++n;
  }
  ::closedir(d);
  return n;
}

class HubPeerIsolation : public HubTest {
 protected:
  std::unique_ptr<RawAmqpSocket> RawConnect() {
    std::string error;
    auto s = RawAmqpSocket::Open(hub().host(), hub().port(), RawAmqpSocket::In(seconds(10)), &error);
    EXPECT_TRUE(s) << "raw connection failed: " << error << HubLog();
    return s;
  }

  // One offender: attaches to `events`, sends `payload` as a whole transfer and waits for the
  // hub's error frame. Returns it (nullopt if none came before the deadline or end of stream).
  std::optional<AmqpFrame> Offend(const std::string& payload, std::string* what) {
    auto raw = RawConnect();
    if (!raw) return std::nullopt;
    std::string error;
    if (!raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) {
      *what = "attach failed: " + error;
      return std::nullopt;
    }
    raw->SendTransfer(0, 0, payload, /*more=*/false);
    auto frame = raw->WaitForErrorFrame(RawAmqpSocket::In(seconds(10)));
    if (!frame) *what = "no close/end/detach with an error from the hub: " + raw->last_error();
    return frame;
  }

  void ExpectStillServing() {
    ASSERT_TRUE(hub().Alive()) << "hub died: " << hub().last_exit().ToString() << HubLog();
    auto c = NewClient();
    ASSERT_TRUE(c);
    const SendOutcome out = c->Send("events", ToMessage(ValidInskrivning()));
    EXPECT_EQ(out.kind, SendOutcome::Kind::kAccepted)
        << OutcomeName(out.kind) << " " << out.condition << ": " << out.description << HubLog();
  }
};

// Streams events to `events` in batches on its own thread until stopped, keeping every id it
// sent and every outcome. Stops by itself at the first outcome that is not `accepted`.
class Streamer {
 public:
  explicit Streamer(HubClient& client) : client_(client) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Streamer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int batches() const { return batches_; }
  bool finished() const { return finished_; }
  // After Stop().
  const std::vector<std::string>& ids() const { return ids_; }
  const std::vector<SendOutcome>& outcomes() const { return outcomes_; }

 private:
  void Run() {
    while (!stop_) {
      std::vector<OutgoingMessage> batch;
      for (int i = 0; i < 20; ++i) {
        const v1::Envelope env = ValidInskrivning();
        ids_.push_back(env.event_id());
        batch.push_back(ToMessage(env));
      }
      const auto outs = client_.SendAll("events", batch, 20, seconds(30));
      outcomes_.insert(outcomes_.end(), outs.begin(), outs.end());
      ++batches_;
      for (const auto& o : outs) {
        if (o.kind != SendOutcome::Kind::kAccepted) stop_ = true;
      }
    }
    finished_ = true;
  }

  HubClient& client_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::atomic<int> batches_{0};
  std::vector<std::string> ids_;
  std::vector<SendOutcome> outcomes_;
  std::thread thread_;
};

// One connection streams events, another receives them from out/<kommun>; meanwhile a third
// sends a transfer that is not an AMQP message. The offender's connection is closed by the hub
// with an error condition; the other two see no error and lose nothing. (HubClient does not
// reconnect: every send accepted on the same client means the connection was never lost.)
TEST_F(HubPeerIsolation, UndecodableTransferClosesOnlyTheOffender) {
  MessageCollector received;
  auto receiver = NewClient();
  ASSERT_TRUE(receiver);
  std::string error;
  ASSERT_GE(receiver->Receive(kKommunOut, received.Handler(), 100, &error), 0) << error;
  auto sender = NewClient();
  ASSERT_TRUE(sender);

  Streamer streamer(*sender);
  EXPECT_TRUE(received.WaitForCount(40, seconds(60)))
      << "the stream did not get going" << HubLog();

  std::string what;
  const int batches_before = streamer.batches();
  const auto frame = Offend("", &what);
  // The stream carries on after the offence: five more whole batches.
  EXPECT_TRUE(PollUntil([&] { return streamer.batches() >= batches_before + 5 || streamer.finished(); },
                        seconds(90)));
  streamer.Stop();

  // Not fatal: how the other two fared is worth seeing either way.
  EXPECT_TRUE(frame) << what;
  if (frame) {
    EXPECT_EQ(frame->code, amqp::kClose) << "expected the connection closed, got " << frame->Describe();
    EXPECT_TRUE(frame->Error());
    if (frame->Error()) {
      EXPECT_EQ(frame->Error()->condition, kDecodeError) << frame->Describe();
      EXPECT_FALSE(frame->Error()->description.empty()) << "the close must say why";
    }
  }

  int not_accepted = 0;
  for (std::size_t i = 0; i < streamer.outcomes().size(); ++i) {
    const auto& o = streamer.outcomes()[i];
    if (o.kind != SendOutcome::Kind::kAccepted && not_accepted++ == 0) {
      ADD_FAILURE() << "event " << i << " of " << streamer.outcomes().size() << " got "
                    << OutcomeName(o.kind) << " " << o.condition << ": " << o.description;
    }
  }
  EXPECT_EQ(not_accepted, 0) << "the streaming sender was disturbed" << HubLog();
  EXPECT_GE(streamer.batches(), batches_before + 5) << "the stream stopped after the offence";
  const std::set<std::string> sent(streamer.ids().begin(), streamer.ids().end());
  EXPECT_TRUE(received.WaitForIds(sent, seconds(30)))
      << "the receiver got " << received.Ids().size() << " of " << sent.size() << HubLog();
  ExpectStillServing();
}

// The same a thousand times, one offender after another (reconnecting each time), with each
// kind of undecodable payload: every offender is closed with an error, the hub holds as many
// descriptors afterwards as before, and SIGTERM still exits 0.
TEST_F(HubPeerIsolation, AThousandOffendersLeakNoDescriptorsAndSigtermExitsZero) {
  const pid_t pid = hub().pid();
  const auto& payloads = UndecodablePayloads();
  constexpr int kOffenders = 1000;
  int closed_with_error = 0;

  // The first offender may make the hub open descriptors it keeps for good (its event loop's
  // eventfd or timerfd, say): the baseline is taken after it, once its socket is gone.
  const int idle_sockets = CountFds(pid, /*sockets_only=*/true);
  ASSERT_GT(idle_sockets, 0) << "cannot read /proc/" << pid << "/fd";
  {
    std::string what;
    const auto frame = Offend(payloads[0], &what);
    EXPECT_TRUE(frame && frame->Error()) << "offender 0: " << (frame ? frame->Describe() : what);
    if (frame && frame->Error()) ++closed_with_error;
    EXPECT_TRUE(PollUntil([&] { return CountFds(pid, true) == idle_sockets; }, seconds(30)))
        << "the first offender's socket is still open in the hub" << HubLog();
  }
  const int fds_before = CountFds(pid);

  for (int i = 1; i < kOffenders && closed_with_error == i; ++i) {
    std::string what;
    const auto frame = Offend(payloads[static_cast<std::size_t>(i) % payloads.size()], &what);
    if (!frame || !frame->Error() || frame->Error()->condition.empty()) {
      // One failure says it all; going on would only multiply the deadline.
      ADD_FAILURE() << "offender " << i << ": " << (frame ? frame->Describe() : what) << HubLog();
      break;
    }
    ++closed_with_error;
  }
  EXPECT_EQ(closed_with_error, kOffenders);

  int fds_after = -1;
  const bool settled = PollUntil([&] { return (fds_after = CountFds(pid)) == fds_before; }, seconds(30));
  EXPECT_TRUE(settled) << "the hub held " << fds_before << " descriptors before the offenders and "
                       << fds_after << " after" << HubLog();

  ExpectStillServing();
  const ExitStatus exit = hub().Stop(seconds(30));
  EXPECT_TRUE(exit.Ok()) << "SIGTERM: " << exit.ToString() << HubLog();
}

// A delivery that never finishes (transfer frames with more=true that keep coming) is refused
// as soon as what is buffered passes max-message-bytes, while the sender is still sending: the
// refusal arrives before the last byte is sent. No timing: bytes are counted, not seconds.
class HubUnfinishedDelivery : public HubPeerIsolation {
 protected:
  static constexpr std::size_t kLimit = 256 * 1024;
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    o.max_message_bytes = kLimit;
    return o;
  }
};

TEST_F(HubUnfinishedDelivery, UnfinishedDeliveryIsRefusedOnceItPassesTheLimit) {
  // 128 times the limit: far more than loopback socket buffers hold (a few MB), so a refusal
  // that comes only after the hub buffered the whole delivery cannot arrive in time.
  constexpr uint64_t kTotal = 128 * kLimit;
  auto raw = RawConnect();
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) << error;
  const std::size_t chunk = std::min<std::size_t>(16 * 1024, raw->remote_max_frame() - 256);

  // A data section announcing kTotal bytes, so the delivery is plausible to the end.
  std::string first = std::string("\x00\x53\x75\xb0", 4);
  for (int shift = 24; shift >= 0; shift -= 8) first += static_cast<char>((kTotal >> shift) & 0xff);
  first.resize(chunk, '\0');
  const std::string filler(chunk, '\x5a');

  uint64_t sent = 0;
  std::optional<AmqpFrame> refusal;
  std::string stopped;
  while (sent < kTotal && !refusal) {
    const std::string& payload = sent == 0 ? first : filler;
    if (!raw->SendTransfer(0, 0, payload, /*more=*/true, /*first=*/sent == 0)) {
      stopped = raw->last_error();
    } else {
      sent += payload.size();
    }
    for (auto& f : raw->Poll()) {
      if ((f.code == amqp::kDetach || f.code == amqp::kEnd || f.code == amqp::kClose) && !refusal) {
        refusal = f;
      }
    }
    if (!stopped.empty() || raw->peer_closed_socket()) break;
  }
  if (!refusal) refusal = raw->WaitForErrorFrame(RawAmqpSocket::In(seconds(10)));

  ASSERT_TRUE(refusal) << "no detach/end/close after " << sent << " of " << kTotal
                       << " bytes of an unfinished delivery (limit " << kLimit << ")"
                       << (stopped.empty() ? "" : "; sending stopped: " + stopped) << HubLog();
  ASSERT_TRUE(refusal->Error()) << "refused without an error condition: " << refusal->Describe();
  // Expected: amqp:link:message-size-exceeded; any error condition that says why is accepted.
  EXPECT_FALSE(refusal->Error()->condition.empty()) << refusal->Describe();
  RecordProperty("refusal", refusal->Describe());
  RecordProperty("bytes_sent_at_refusal", std::to_string(sent));
  EXPECT_LT(sent, kTotal) << "the refusal (" << refusal->Describe()
                          << ") came only after the whole delivery was sent";
  raw.reset();
  ExpectStillServing();
}

// A receiver that grants 100,000 credit and never settles cannot take more than the per-link
// unsettled cap of a destination's messages; a well-behaved receiver on the same destination
// gets everything else.
class HubCreditHoarding : public HubPeerIsolation {
 protected:
  static constexpr int kCap = 100;
  TestConfigOptions ConfigOptions() const override {
    TestConfigOptions o;
    // TODO(issue 9): the attribute the new transport reads for "unsettled outbound per receiver
    // link" is decided by the transport branch; rename here when it lands.
    o.extra_limits = {{"max-unsettled-per-link", std::to_string(kCap)}};
    return o;
  }
};

TEST_F(HubCreditHoarding, CreditHoardingReceiverCannotStarveAnother) {
  constexpr int kEvents = 2000;
  auto hoarder = RawConnect();
  ASSERT_TRUE(hoarder);
  std::string error;
  ASSERT_TRUE(hoarder->AttachReceiver(0, kKommunOut, 100'000, RawAmqpSocket::In(seconds(10)), &error))
      << error;
  // The hoarder reads (so TCP never pushes back) and counts whole deliveries; it settles none.
  std::atomic<bool> stop{false};
  std::atomic<int> hoarded{0};
  std::thread reader([&] {
    while (!stop && !hoarder->peer_closed_socket()) {
      auto f = hoarder->ReadFrame(RawAmqpSocket::In(std::chrono::milliseconds(200)));
      const AmqpValue* more = f && f->code == amqp::kTransfer ? f->body.Field(5) : nullptr;
      if (f && f->code == amqp::kTransfer && !(more && more->flag)) ++hoarded;
    }
  });

  MessageCollector fair;
  auto b = NewClient();
  ASSERT_TRUE(b);
  EXPECT_GE(b->Receive(kKommunOut, fair.Handler(), 50, &error), 0) << error;

  auto sender = NewClient();
  ASSERT_TRUE(sender);
  std::vector<OutgoingMessage> msgs;
  for (int i = 0; i < kEvents; ++i) msgs.push_back(ToMessage(ValidInskrivning()));
  const auto outcomes = sender->SendAll("events", msgs, 200, seconds(120));
  int accepted = 0;
  for (const auto& o : outcomes) accepted += o.kind == SendOutcome::Kind::kAccepted;
  EXPECT_EQ(accepted, kEvents) << HubLog();

  // Fair share: everything the hoarder cannot hold under the cap.
  const std::size_t fair_share = static_cast<std::size_t>(kEvents - kCap);
  // Done waiting when the fair share is in, or when the two together hold every event (the
  // hoarder settles nothing, so nothing more can come).
  fair.WaitUntil([&](const std::vector<client::IncomingMessage>& got) {
    return got.size() >= fair_share || got.size() + static_cast<std::size_t>(hoarded) >= kEvents;
  }, seconds(120));
  EXPECT_GE(fair.Count(), fair_share)
      << "the settling receiver got " << fair.Count() << " of " << kEvents
      << " (fair share >= " << fair_share << "); the hoarder holds " << hoarded << HubLog();
  EXPECT_LE(hoarded, kCap) << "the hoarder holds more unsettled than the per-link cap";
  stop = true;
  reader.join();
}

// A message with two data sections [garbage, envelope] is rejected: the hub must not drop the
// first and accept the second. The same envelope in one section, sent the same raw way, is
// accepted (so a rejection is about the sections, not the framer).
TEST_F(HubPeerIsolation, TwoDataSectionsAreRejected) {
  auto raw = RawConnect();
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) << error;
  auto outcome_of = [&](uint32_t delivery_id, const std::string& message) -> std::optional<AmqpFrame> {
    if (!raw->SendTransfer(0, delivery_id, message, false)) return std::nullopt;
    return raw->ReadUntil([](const AmqpFrame& f) {
      return f.code == amqp::kDisposition || f.code == amqp::kClose || f.code == amqp::kDetach;
    }, RawAmqpSocket::In(seconds(30)));
  };

  const v1::Envelope single = ValidInskrivning();
  const auto ok = outcome_of(0, EncodeAmqpMessage({single.SerializeAsString()}, single.event_id()));
  ASSERT_TRUE(ok) << raw->last_error() << HubLog();
  EXPECT_EQ(ok->Outcome(), "accepted") << ok->Describe();

  const v1::Envelope env = ValidInskrivning();
  const auto two = outcome_of(
      1, EncodeAmqpMessage({RandomBytes(40, 3), env.SerializeAsString()}, env.event_id()));
  ASSERT_TRUE(two) << raw->last_error() << HubLog();
  EXPECT_EQ(two->Outcome(), "rejected") << two->Describe();
  if (two->Error()) {
    EXPECT_FALSE(two->Error()->description.empty());
  }
  EXPECT_EQ(store().QueryInt("SELECT count(*) FROM events WHERE event_id = '" + env.event_id() + "'"),
            0);
}

// The AMQP message-id must be the event id: a different one is rejected with a reason naming
// message-id; none at all is accepted.
TEST_F(HubPeerIsolation, MessageIdDifferentFromEventIdIsRejected) {
  auto c = NewClient();
  ASSERT_TRUE(c);
  const v1::Envelope env = ValidInskrivning();
  OutgoingMessage msg = ToMessage(env);
  msg.message_id = NewEventId();
  const SendOutcome out = c->Send("events", msg);
  EXPECT_EQ(out.kind, SendOutcome::Kind::kRejected) << OutcomeName(out.kind) << HubLog();
  EXPECT_EQ(out.condition, "slussen:invalid-event");
  EXPECT_THAT(out.description, HasSubstr("message-id"));
  EXPECT_THAT(out.description, ::testing::Not(HasSubstr(msg.message_id)));

  OutgoingMessage none = ToMessage(ValidInskrivning());
  none.message_id.clear();
  const SendOutcome accepted = c->Send("events", none);
  EXPECT_EQ(accepted.kind, SendOutcome::Kind::kAccepted)
      << OutcomeName(accepted.kind) << " " << accepted.description << HubLog();
}

// A message-id of another AMQP type (ulong) is not the event id either.
TEST_F(HubPeerIsolation, NonStringMessageIdIsRejected) {
  auto raw = RawConnect();
  ASSERT_TRUE(raw);
  std::string error;
  ASSERT_TRUE(raw->AttachSender(0, "events", RawAmqpSocket::In(seconds(10)), &error)) << error;
  const v1::Envelope env = ValidInskrivning();
  ASSERT_TRUE(raw->SendTransfer(0, 0, EncodeAmqpMessage({env.SerializeAsString()}, "", 5), false));
  const auto d = raw->ReadUntil([](const AmqpFrame& f) { return f.code == amqp::kDisposition; },
                                RawAmqpSocket::In(seconds(30)));
  ASSERT_TRUE(d) << raw->last_error() << HubLog();
  EXPECT_EQ(d->Outcome(), "rejected") << d->Describe();
  ASSERT_TRUE(d->Error());
  EXPECT_THAT(d->Error()->description, HasSubstr("message-id"));
}

}  // namespace
}  // namespace slussen::testing
