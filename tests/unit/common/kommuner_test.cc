// The compiled-in municipality table and its lookup by code.
#include "common/kommuner.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace slussen {
namespace {

TEST(Kommuner, EveryCodeIsFoundAsItself) {
  const auto& all = AllKommuner();
  EXPECT_EQ(all.size(), 290u);
  std::set<std::string> codes;
  for (const auto& k : all) {
    codes.insert(k.kod);
    const KommunEntry* found = FindKommunEntry(k.kod);
    ASSERT_NE(found, nullptr) << k.kod;
    EXPECT_EQ(found, &k);
  }
  EXPECT_EQ(codes.size(), all.size()) << "no code twice";
  const KommunEntry* stockholm = FindKommunEntry("0180");
  ASSERT_NE(stockholm, nullptr);
  EXPECT_STREQ(stockholm->name, "Stockholm");
}

TEST(Kommuner, AnythingElseIsNotFound) {
  for (const char* kod : {"", "0", "018", "01800", "0000", "9999", "018a", " 180", "-180",
                          "\xd9\x01\x08\x00"}) {
    EXPECT_EQ(FindKommunEntry(kod), nullptr) << kod;
  }
  EXPECT_EQ(FindKommunEntry(std::string_view("0180\0", 5)), nullptr);
  EXPECT_EQ(FindKommunEntry(std::string_view("01800", 4)), FindKommunEntry("0180"));
}

}  // namespace
}  // namespace slussen
