// What a system's answer to a POST means for the delivery (adapters/municipality/outcome.h).
#include "adapters/municipality/outcome.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace slussen::municipality {
namespace {

using client::Disposition;
using ::testing::HasSubstr;

PostResult Http(int status, std::string body = "") {
  PostResult r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(Outcome, Every2xxIsAccepted) {
  for (int status : {200, 201, 202, 204, 299}) {
    const Settlement s = SettlementFor(Http(status, "ok"));
    EXPECT_EQ(s.disposition, Disposition::kAccept) << status;
    EXPECT_TRUE(s.condition.empty());
    EXPECT_EQ(s.summary, "HTTP " + std::to_string(status));
  }
}

TEST(Outcome, A4xxIsRejectedWithTheStatusAndTheBodyAsTheReason) {
  for (int status : {400, 403, 404, 409, 413, 422, 499}) {
    const Settlement s = SettlementFor(Http(status, "kommunkod saknas i dokumentet"));
    EXPECT_EQ(s.disposition, Disposition::kReject) << status;
    EXPECT_EQ(s.condition, "slussen:http-" + std::to_string(status));
    EXPECT_EQ(s.description, "HTTP " + std::to_string(status) + ": kommunkod saknas i dokumentet");
    // The log's summary never carries the body (it may name the patient).
    EXPECT_EQ(s.summary, "HTTP " + std::to_string(status));
  }
  EXPECT_EQ(SettlementFor(Http(400)).description, "HTTP 400");
}

TEST(Outcome, A5xxIsReleasedForTheHubToRetry) {
  for (int status : {500, 502, 503, 504, 599}) {
    const Settlement s = SettlementFor(Http(status, "Service Unavailable"));
    EXPECT_EQ(s.disposition, Disposition::kRelease) << status;
    EXPECT_TRUE(s.description.empty());
  }
}

// Not a success, not a refusal: tried again, and the log says what came.
TEST(Outcome, InformationalAndRedirectAnswersAreReleased) {
  for (int status : {101, 301, 302, 307}) {
    EXPECT_EQ(SettlementFor(Http(status)).disposition, Disposition::kRelease) << status;
  }
}

TEST(Outcome, NoAnswerAtAllIsReleased) {
  PostResult refused;
  refused.transport_error = "connection failed (refused or unreachable)";
  const Settlement s = SettlementFor(refused);
  EXPECT_EQ(s.disposition, Disposition::kRelease);
  EXPECT_EQ(s.summary, "connection failed (refused or unreachable)");
  PostResult timeout;
  timeout.transport_error = "read failed or timed out";
  EXPECT_EQ(SettlementFor(timeout).disposition, Disposition::kRelease);
  EXPECT_EQ(SettlementFor(PostResult{}).disposition, Disposition::kRelease);
}

// The hub keeps at most 1 KiB of a rejection's description; the reason fits.
TEST(Outcome, TheReasonIsBounded) {
  const Settlement s = SettlementFor(Http(400, std::string(kMaxKeptBody, 'x')));
  EXPECT_LE(s.description.size(), 1024u);
  EXPECT_THAT(s.description, HasSubstr("HTTP 400: xxx"));
}

TEST(Outcome, TheReasonIsPrintableUtf8) {
  const Settlement s = SettlementFor(Http(422, "fel: \xff\xfe åäö\x01\r\n"));
  EXPECT_EQ(s.description, "HTTP 422: fel: ?? åäö??\n");
}

TEST(PrintableUtf8, NeverSplitsACharacter) {
  EXPECT_EQ(PrintableUtf8("ååå", 5), "åå");
  EXPECT_EQ(PrintableUtf8("aå", 2), "a");
  EXPECT_EQ(PrintableUtf8("", 10), "");
}

TEST(PrintableUtf8, RefusesOverlongsAndSurrogates) {
  EXPECT_EQ(PrintableUtf8("\xc0\xaf", 10), "??");                        // overlong '/'
  EXPECT_EQ(PrintableUtf8("\xed\xa0\x80", 10), "???");                   // a surrogate
  EXPECT_EQ(PrintableUtf8("\xf0\x9f\x98\x80", 10), "\xf0\x9f\x98\x80");  // U+1F600 kept
  EXPECT_EQ(PrintableUtf8("\xe2\x82", 10), "??");                        // cut short
}

}  // namespace
}  // namespace slussen::municipality
