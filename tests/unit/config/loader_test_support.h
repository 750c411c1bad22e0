#pragma once
// What the tests of the two XML loaders (config_loader_test.cc, agreement_loader_test.cc) share:
// editing a known-good text one piece at a time, scratch files, and the checks every loader must
// pass (errors name file and line, libxml2's global error handler left alone, the compiled-in
// schema is the one in the source tree).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/xmlerror.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>

#include "testing/temp_dir.h"

namespace slussen::testing {

// Replaces the one occurrence of `from` in `text` (fails the test if there is not exactly one).
inline std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "no '" << from << "' in the base text";
  EXPECT_EQ(text.find(from, pos + 1), std::string::npos) << "'" << from << "' is ambiguous";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// A fixture with a scratch directory for the files a loader reads.
class LoaderTest : public ::testing::Test {
 protected:
  // Writes `text` to `name` in the scratch directory; returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    WriteFile(path, text);
    return path;
  }

  TempDir tmp_{"slussen-loader-test"};
  const std::filesystem::path dir_ = tmp_.path();
};

// A loader's error: "<path>:<line>: ..." containing `message`, and every line of the report
// carries the file and a line number.
inline void ExpectReportAt(const std::string& error, const std::string& path, int line,
                           const std::string& message) {
  EXPECT_THAT(error, ::testing::StartsWith(path + ":" + std::to_string(line) + ": "));
  EXPECT_THAT(error, ::testing::HasSubstr(message));
  std::istringstream lines(error);
  for (std::string l; std::getline(lines, l);) EXPECT_THAT(l, ::testing::StartsWith(path + ":"));
}

// Names a parameterized case after its `name` (a function, not a lambda: gtest's macro already
// has a parameter called `info`, and -Wshadow).
template <class Case>
std::string CaseName(const ::testing::TestParamInfo<Case>& p) {
  return p.param.name;
}

#if LIBXML_VERSION >= 21200
inline void SentinelHandler(void*, const xmlError*) {}
#else
inline void SentinelHandler(void*, xmlError*) {}
#endif

// The loads `load` does (broken and good files) leave libxml2's process-wide structured error
// handler as they found it.
inline void ExpectLeavesLibxml2ErrorHandler(const std::function<void()>& load) {
  int sentinel_ctx = 0;
  xmlSetStructuredErrorFunc(&sentinel_ctx, &SentinelHandler);
  load();
  EXPECT_EQ(xmlStructuredError, &SentinelHandler);
  EXPECT_EQ(xmlStructuredErrorContext, &sentinel_ctx);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
}

// The schema compiled into the hub is the file `relative` in the source tree, byte for byte.
inline void ExpectEmbeddedSchemaIs(std::string_view embedded, const std::string& relative) {
  std::ifstream in(SourceDir() / relative, std::ios::binary);
  ASSERT_TRUE(in) << "cannot open " << relative;
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(embedded, file.str());
}

}  // namespace slussen::testing
