// HMAC-SHA256 as the audit log's patient keys and the log's pseudonyms compute it
// (ingest/log_pseudonym.h): RFC 4231's test vectors, whichever key was used just before.
#include "ingest/log_pseudonym.h"

#include <gtest/gtest.h>

#include <string>

namespace slussen {
namespace {

const std::string kShortKey(20, '\x0b');
const std::string kLongKey(131, '\xaa');  // longer than SHA-256's block: hashed first
const char* kShortMac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
const char* kLongMac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
const char* kLongData = "Test Using Larger Than Block-Size Key - Hash Key First";

TEST(HmacSha256Hex, MatchesRfc4231AcrossKeyChanges) {
  EXPECT_EQ(HmacSha256Hex(kShortKey, "Hi There"), kShortMac);
  EXPECT_EQ(HmacSha256Hex(kShortKey, "Hi There"), kShortMac);  // the same key kept
  EXPECT_EQ(HmacSha256Hex(kLongKey, kLongData), kLongMac);
  EXPECT_EQ(HmacSha256Hex(kShortKey, "Hi There"), kShortMac);  // and back
  // RFC 4231 test case 2: a key shorter than the block, data longer than it.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Hex, AKeyWithTheSamePrefixIsAnotherKey) {
  const std::string a = HmacSha256Hex("key", "191212121212");
  const std::string b = HmacSha256Hex("key2", "191212121212");
  EXPECT_NE(a, b);
  EXPECT_EQ(HmacSha256Hex("key", "191212121212"), a);
  EXPECT_EQ(HmacSha256Hex("", "x").size(), 64u);
}

TEST(LogPseudonym, IsTheMacsFirstTwelveHexDigits) {
  EXPECT_EQ(LogPseudonym(kShortKey, "Hi There"), "p-" + std::string(kShortMac).substr(0, 12));
}

}  // namespace
}  // namespace slussen
