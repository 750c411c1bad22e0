#include "hl7/dtm.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/time_format.h"

namespace slussen::hl7 {
namespace {

using namespace std::chrono;

std::string Iso(std::string_view dtm) {
  auto t = ParseDtm(dtm);
  if (!t.ok()) return "error: " + t.error();
  return FormatStockholmTime(*t);
}

TEST(Hl7Dtm, OffsetsAreExact) {
  EXPECT_EQ(Iso("20261123103002+0100"), "2026-11-23T10:30:02+01:00");
  EXPECT_EQ(Iso("20261123093002+0000"), "2026-11-23T10:30:02+01:00");
  EXPECT_EQ(Iso("20261123043002-0500"), "2026-11-23T10:30:02+01:00");
  EXPECT_EQ(Iso("20260701120000+0200"), "2026-07-01T12:00:00+02:00");
  EXPECT_EQ(Iso("202611231030+0100"), "2026-11-23T10:30:00+01:00");
  EXPECT_EQ(Iso("20261123103002.25+0100"), "2026-11-23T10:30:02.250+01:00");
}

TEST(Hl7Dtm, WithoutOffsetItIsStockholmLocalTime) {
  EXPECT_EQ(Iso("20261123103002"), "2026-11-23T10:30:02+01:00");  // winter: CET
  EXPECT_EQ(Iso("20260701120000"), "2026-07-01T12:00:00+02:00");  // summer: CEST
  EXPECT_EQ(Iso("20261127"), "2026-11-27T00:00:00+01:00");        // a date is local midnight
  EXPECT_EQ(Iso("2026112708"), "2026-11-27T08:00:00+01:00");
  // The skipped spring hour moves forward; the repeated autumn hour is its first occurrence.
  EXPECT_EQ(Iso("202603290230"), "2026-03-29T03:30:00+02:00");
  EXPECT_EQ(Iso("202610250230"), "2026-10-25T02:30:00+02:00");
}

TEST(Hl7Dtm, MalformedValuesAreErrors) {
  for (const char* bad : {"", "2026", "202611", "2026-11-23", "20261323", "20260230",
                          "20261123256000", "2026112310306", "20261123103002.", "202611231030.5",
                          "20261123103002.12345", "20261123103002+01", "20261123103002+01x0",
                          "20261123103002+2500", "18991231", "22000101", "abcdefgh",
                          "20261123 1030"}) {
    EXPECT_FALSE(ParseDtm(bad).ok()) << bad;
  }
  EXPECT_NE(ParseDtm("2026").error().find("a date (YYYYMMDD) at least"), std::string::npos);
}

TEST(Hl7Dtm, FormatIsStockholmTimeWithItsOffset) {
  const auto winter = sys_days{2026y / November / 29} + hours{3} + minutes{30} + seconds{5};
  EXPECT_EQ(FormatDtm(winter), "20261129043005+0100");
  const auto summer = sys_days{2026y / July / 1} + hours{10};
  EXPECT_EQ(FormatDtm(summer), "20260701120000+0200");
  EXPECT_EQ(*ParseDtm(FormatDtm(winter)), winter);
}

}  // namespace
}  // namespace slussen::hl7
