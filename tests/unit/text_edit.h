#pragma once
// Editing a known-good text (an agreement, a config) one piece at a time, for tests of loaders
// that each break one thing in it.
#include <gtest/gtest.h>

#include <string>

namespace slussen::testing {

// Replaces the one occurrence of `from` in `text` (fails the test if there is not exactly one).
inline std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "no '" << from << "' in the base text";
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "'" << from << "' is ambiguous";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

}  // namespace slussen::testing
