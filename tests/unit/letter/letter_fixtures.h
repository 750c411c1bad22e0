#pragma once
// What the letter tests share: a recipient and a hospital with åäö, a fixed clock, and an
// Inskrivningsmeddelande whose patient's name has åäö.
#include <chrono>
#include <string>

#include "adapters/letter/letter.h"
#include "slussen/v1/events.pb.h"
#include "testing/test_envelopes.h"
#include "wire/event_kind.h"

namespace slussen::adapters::letter::test {

// 2026-03-30T10:00:00Z = 12:00 in Stockholm (CEST).
inline std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1774864800));
}

inline constexpr char kGiven[] = "Åsa";
inline constexpr char kFamily[] = "Öberg-Lärka";
inline constexpr char kReason[] = "no receipt from kommun-1380 by 2026-03-30T11:30:00+02:00";
inline constexpr char kEventId[] = "3f2a9c1e-8b7d-4e6f-9a01-23456789abcd";

inline LetterContext Context() {
  LetterContext c;
  c.from.name = "Hallands sjukhus Halmstad, Avdelning 14";
  c.from.address_lines = {"Lasarettsvägen", "301 85 Halmstad"};
  c.from.phone = "035-13 10 00";
  c.to.id = "kommun-1380";
  c.to.unit_name = "Halmstads kommun, Biståndsenheten Söder";
  c.to.hsa_id = "SE2120000000-BIS1";
  c.to.address_lines = {"Box 153", "Östra vägen 7", "301 05 Halmstad"};
  c.to.fax = "+46 35 13 80 00";
  c.reason = kReason;
  c.created = FixedNow();
  return c;
}

inline slussen::v1::Envelope Event(EventKind kind, const std::string& event_id = kEventId) {
  slussen::testing::EnvelopeSpec spec;
  spec.event_id = event_id;
  spec.now = FixedNow();
  slussen::v1::Envelope e = slussen::testing::ValidEnvelope(kind, spec);
  if (e.has_inskrivningsmeddelande()) {
    e.mutable_inskrivningsmeddelande()->mutable_name()->set_given_name(kGiven);
    e.mutable_inskrivningsmeddelande()->mutable_name()->set_family_name(kFamily);
  }
  return e;
}

}  // namespace slussen::adapters::letter::test
