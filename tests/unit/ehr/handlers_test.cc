// What the adapter answers for each outcome: the ACK for each way the hub settles an event, the
// ACK for what never reaches the hub (not HL7, nothing to send, refused by the mapping, framing
// errors), and the HTTP answers to documents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hl7/parser.h"
#include "nlohmann/json.hpp"
#include "server/document_handler.h"
#include "server/hl7_handler.h"
#include "build_paths/source_dir.h"

namespace slussen::ehr {
namespace {

using client::SendOutcome;
using ::testing::HasSubstr;
using namespace std::chrono;

const system_clock::time_point kNow = sys_days{2026y / November / 29} + hours{3};

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::filesystem::path(SLUSSEN_SOURCE_DIR) / relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Example(const std::string& name) { return ReadSource("adapters/ehr/examples/" + name); }

hl7::Message Parsed(const std::string& text) {
  auto m = hl7::Parse(text);
  EXPECT_TRUE(m.ok()) << m.error();
  return m.ok() ? *m : hl7::Message{};
}

MappingConfig Mapping() {
  MappingConfig c;
  c.sender_hsa_id = "SE2321000115-SH01";
  c.care_unit_hsa_id = "SE2321000115-SH01";
  return c;
}

SendOutcome Outcome(SendOutcome::Kind kind, std::string condition = {},
                    std::string description = {}) {
  SendOutcome o;
  o.kind = kind;
  o.condition = std::move(condition);
  o.description = std::move(description);
  return o;
}

// For paths that must never reach the hub.
const EventSender kNoSending = [](const v1::Envelope&) {
  ADD_FAILURE() << "nothing may be sent to the hub here";
  return Outcome(SendOutcome::Kind::kError);
};

hl7::AckBuilder Builder() { return hl7::AckBuilder({"SLUSSEN", "TEST"}, [] { return kNow; }); }

TEST(EhrAcks, OnlyTheHubsAcceptedIsAa) {
  auto b = Builder();
  const hl7::Message request = Parsed(Example("adt_a01_inskrivning.hl7"));
  const hl7::Message aa = AckForSendOutcome(b, request, Outcome(SendOutcome::Kind::kAccepted));
  EXPECT_EQ(aa.Get("MSA", 1), "AA");
  EXPECT_EQ(aa.Get("MSA", 2), "HSH20261123000101");
  EXPECT_EQ(aa.Find("ERR"), nullptr);

  for (auto kind : {SendOutcome::Kind::kReleased, SendOutcome::Kind::kModified,
                    SendOutcome::Kind::kError}) {
    const hl7::Message ae =
        AckForSendOutcome(b, request, Outcome(kind, "", "the connection to the hub was lost"));
    EXPECT_EQ(ae.Get("MSA", 1), "AE") << client::OutcomeName(kind);
    EXPECT_THAT(ae.Get("MSA", 3), HasSubstr("temporarily unavailable, send again"));
    EXPECT_EQ(ae.Get("ERR", 3, 1, 1), "207");
  }
}

TEST(EhrAcks, TheHubsRefusalIsAeWithItsReasonBounded) {
  auto b = Builder();
  const hl7::Message request = Parsed(Example("adt_a01_inskrivning.hl7"));
  const hl7::Message ae = AckForSendOutcome(
      b, request,
      Outcome(SendOutcome::Kind::kRejected, "slussen:invalid-event",
              "patient.identity.id: check digit wrong"));
  EXPECT_EQ(ae.Get("MSA", 1), "AE");
  EXPECT_EQ(ae.Get("MSA", 3), "refused by Slussen: patient.identity.id: check digit wrong");
  EXPECT_EQ(ae.Get("ERR", 8), ae.Get("MSA", 3));
  EXPECT_EQ(ae.Get("ERR", 3, 1, 1), "207");

  // A long reason is cut (on a character boundary: åäö are two bytes).
  std::string long_reason;
  for (int i = 0; i < 300; ++i) long_reason += "åx";
  const hl7::Message cut =
      AckForSendOutcome(b, request, Outcome(SendOutcome::Kind::kRejected, "c", long_reason));
  const std::string text = cut.Get("MSA", 3);
  EXPECT_LE(text.size(), kMaxHubReasonChars + 40);
  EXPECT_THAT(text, ::testing::EndsWith("..."));
  EXPECT_NE(static_cast<unsigned char>(text[text.size() - 4]) & 0xC0, 0xC0)
      << "cut inside a character";
}

TEST(EhrHl7Handler, WhatNeverReachesTheHub) {
  Hl7Handler h(Mapping(), {"SLUSSEN", "TEST"}, [] { return kNow; }, kNoSending);

  const hl7::Message not_hl7 = Parsed(h.HandleFrame("hello", "test"));
  EXPECT_EQ(not_hl7.Get("MSA", 1), "AR");
  EXPECT_THAT(not_hl7.Get("MSA", 3), HasSubstr("not an HL7 v2 message"));

  // A discharge (A03) reaches the hub as an Utskrivning (issue 15 item 6) only for a stay the
  // discharge planning follows (ZSP-1 = Y); any other is acknowledged and goes nowhere.
  std::string untracked = Example("adt_a03_discharge.hl7");
  untracked.replace(untracked.find("ZSP|Y|"), 6, "ZSP|N|");
  const hl7::Message a03 = Parsed(h.HandleFrame(untracked, "test"));
  EXPECT_EQ(a03.Get("MSA", 1), "AA");
  EXPECT_FALSE(a03.Get("MSA", 3).empty());

  // No visit number: the mapping refuses (AE 101 at PV1-19).
  std::string no_visit = Example("adt_a01_inskrivning.hl7");
  no_visit.replace(no_visit.find("VT2026-004711"), 13, "");
  const hl7::Message ae = Parsed(h.HandleFrame(no_visit, "test"));
  EXPECT_EQ(ae.Get("MSA", 1), "AE");
  EXPECT_EQ(ae.Get("ERR", 3, 1, 1), "101");
  EXPECT_EQ(ae.Get("ERR", 2, 1, 1), "PV1");

  // A test system's message to production: AR 202.
  std::string test_system = Example("adt_a01_inskrivning.hl7");
  test_system.replace(test_system.find("|P|2.5|"), 7, "|T|2.5|");
  EXPECT_EQ(Parsed(h.HandleFrame(test_system, "test")).Get("MSA", 1), "AR");
}

TEST(EhrHl7Handler, AnEventIsSentAndAnsweredByItsSettlement) {
  v1::Envelope sent;
  Hl7Handler h(Mapping(), {"SLUSSEN", "TEST"}, [] { return kNow; },
               [&](const v1::Envelope& env) {
                 sent = env;
                 return Outcome(SendOutcome::Kind::kAccepted);
               });
  const hl7::Message ack = Parsed(h.HandleFrame(Example("adt_a01_inskrivning.hl7"), "test"));
  EXPECT_EQ(ack.Get("MSA", 1), "AA");
  EXPECT_TRUE(sent.has_inskrivningsmeddelande());
  EXPECT_EQ(sent.sender_hsa_id(), "SE2321000115-SH01");
}

TEST(EhrHl7Handler, FramingErrors) {
  Hl7Handler h(Mapping(), {"SLUSSEN", "TEST"}, [] { return kNow; }, kNoSending);
  hl7::MllpError oversized{hl7::MllpError::Kind::kOversized, 2'000'000,
                           Example("adt_a01_inskrivning.hl7").substr(0, 1024), "frame of 2000000 bytes"};
  const hl7::Message ar = Parsed(h.HandleFramingError(oversized, "test"));
  EXPECT_EQ(ar.Get("MSA", 1), "AR");
  EXPECT_EQ(ar.Get("MSA", 2), "HSH20261123000101");
  EXPECT_THAT(ar.Get("MSA", 3), HasSubstr("too large"));

  EXPECT_EQ(h.HandleFramingError({hl7::MllpError::Kind::kGarbage, 10, "", "garbage"}, "test"), "");
  EXPECT_EQ(h.HandleFramingError({hl7::MllpError::Kind::kTruncated, 10, "", "ended"}, "test"), "");
}

TEST(EhrDocuments, AnswersBySettlement) {
  v1::Envelope env;
  env.set_event_id("3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c");
  env.mutable_inskrivningsmeddelande();
  const HttpAnswer created =
      AnswerForSendOutcome(env, Outcome(SendOutcome::Kind::kAccepted), seconds(30));
  EXPECT_EQ(created.status, 201);
  const auto j = nlohmann::json::parse(created.body);
  EXPECT_EQ(j["event_id"], "3c6e0b8a-5f1d-4c2e-9a7b-1d2e3f4a5b6c");
  EXPECT_EQ(j["kind"], "Inskrivningsmeddelande");

  const HttpAnswer refused = AnswerForSendOutcome(
      env, Outcome(SendOutcome::Kind::kRejected, "slussen:invalid-event", "sender_hsa_id: no"),
      seconds(30));
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr("sender_hsa_id: no"));
  EXPECT_FALSE(refused.retry_after);

  for (auto kind : {SendOutcome::Kind::kReleased, SendOutcome::Kind::kError}) {
    const HttpAnswer later = AnswerForSendOutcome(env, Outcome(kind, "", "lost"), seconds(7));
    EXPECT_EQ(later.status, 503);
    ASSERT_TRUE(later.retry_after);
    EXPECT_EQ(*later.retry_after, seconds(7));
    EXPECT_THAT(later.body, HasSubstr("send it again"));
  }
}

TEST(EhrDocuments, InvalidDocumentsNeverReachTheHub) {
  const DocumentOptions options;
  const std::string doc = ReadSource("adapters/common/xmldoc/examples/inskrivningsmeddelande.xml");
  std::string bad = doc;
  bad.replace(bad.find("<kommunkod>1380"), 15, "<kommunkod>13");
  const HttpAnswer a = HandleDocument(bad, "application/xml", options, kNoSending);
  EXPECT_EQ(a.status, 400);
  const auto j = nlohmann::json::parse(a.body);
  ASSERT_TRUE(j["problems"].is_array());
  EXPECT_THAT(j["problems"][0].get<std::string>(), HasSubstr("POST /documents:16:"));

  const HttpAnswer kvittens = HandleDocument(
      ReadSource("adapters/common/xmldoc/examples/kvittens.xml"), "", options, kNoSending);
  EXPECT_EQ(kvittens.status, 400);

  EXPECT_EQ(HandleDocument(doc, "application/json", options, kNoSending).status, 415);
  EXPECT_EQ(HandleDocument("\xff\xfe<x", "text/xml", options, kNoSending).status, 400);
}

}  // namespace
}  // namespace slussen::ehr
