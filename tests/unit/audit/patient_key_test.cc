#include "audit/patient_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slussen/v1/events.pb.h"

namespace slussen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "an audit key of at least thirty-two bytes, for tests";

TEST(PatientKey, NormalisesAWrittenPersonnummer) {
  auto plain = NormalisePersonnummer("191212121212");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(*plain, "191212121212");
  auto hyphen = NormalisePersonnummer("19121212-1212");
  ASSERT_TRUE(hyphen) << hyphen.error();
  EXPECT_EQ(*hyphen, "191212121212");
  auto samordning = NormalisePersonnummer("19121272-1219");
  ASSERT_TRUE(samordning) << samordning.error();
  EXPECT_EQ(*samordning, "191212721219");
}

TEST(PatientKey, RefusesWhatIsNoPersonnummerWithoutRepeatingIt) {
  for (const char* bad : {"191212121213", "1912121212", "19121312-1212", "x", "",
                          "1912-12121212", "19121212--1212"}) {
    auto r = NormalisePersonnummer(bad);
    EXPECT_FALSE(r) << bad;
    if (!r && std::string(bad).size() > 3) {
      EXPECT_THAT(r.error(), Not(HasSubstr(bad)));
    }
  }
}

TEST(PatientKey, IsAFullKeyedMacThatDependsOnTheKey) {
  const std::string k = PatientKey(kKey, "191212121212");
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k, PatientKey(kKey, "191212121212"));
  EXPECT_NE(k, PatientKey("another key of at least thirty-two bytes!", "191212121212"));
  EXPECT_NE(k, PatientKey(kKey, "191212121220"));
  EXPECT_THAT(k, Not(HasSubstr("191212121212")));
}

TEST(PatientKey, OfAnEventsIdentity) {
  v1::PatientIdentity id;
  EXPECT_EQ(PatientKeyOf(kKey, id), "") << "no identity, no key";
  id.set_kind(v1::PatientIdentity::PERSONNUMMER);
  id.set_id("191212121212");
  EXPECT_EQ(PatientKeyOf(kKey, id), PatientKey(kKey, "191212121212"))
      << "the extract finds an event's rows by the personnummer as written";
  v1::PatientIdentity reserve;
  reserve.set_kind(v1::PatientIdentity::RESERVNUMMER);
  reserve.set_id("191212121212");
  reserve.set_reserve_oid("1.2.3");
  EXPECT_NE(PatientKeyOf(kKey, reserve), PatientKey(kKey, "191212121212"))
      << "a reservnummer that looks like someone's personnummer is not theirs";
}

TEST(PatientKey, MadeSecretsAreRandom) {
  auto a = MakeAuditSecret();
  auto b = MakeAuditSecret();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace slussen
