// Integration tests of the slussen command line: --help, --version, bad configs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <string>

#include "testing/hub_process.h"
#include "testing/temp_dir.h"
#include "testing/test_config.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string RegexEscape(const std::string& s) {
  static const std::regex kSpecial(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(s, kSpecial, R"(\$&)");
}

std::string Show(const ProcessResult& r) {
  return "\nstatus: " + r.status.ToString() + "\n--- stdout ---\n" + r.out +
         "\n--- stderr ---\n" + r.err + "\n--- end ---";
}

TEST(HubCli, HelpPrintsUsageAndExitsZero) {
  const ProcessResult r = RunProcess({SlussenBinary(), "--help"});
  EXPECT_TRUE(r.status.Ok()) << Show(r);
  EXPECT_THAT(Lower(r.out + r.err), HasSubstr("usage")) << Show(r);
  EXPECT_THAT(r.out + r.err, HasSubstr("--config")) << Show(r);
}

TEST(HubCli, VersionPrintsVersion) {
  const ProcessResult r = RunProcess({SlussenBinary(), "--version"});
  EXPECT_TRUE(r.status.Ok()) << Show(r);
  EXPECT_THAT(r.out, HasSubstr(SLUSSEN_VERSION)) << Show(r);
}

TEST(HubCli, UnknownOptionFails) {
  const ProcessResult r = RunProcess({SlussenBinary(), "--no-such-option"});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << Show(r);
  EXPECT_FALSE(r.err.empty()) << Show(r);
}

// Runs the hub on `xml` and expects it to refuse to start, naming `path:line:` on stderr.
void ExpectConfigRefused(const std::string& xml, int expected_line) {
  TempDir dir("HubCli.config");
  const std::string path = dir.File("broken.xml");
  WriteFile(path, xml);
  const ProcessResult r = RunProcess({SlussenBinary(), "--config", path});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << Show(r);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("slussen ready"))) << Show(r);
  const std::regex file_line(RegexEscape(path) + ":([0-9]+):");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, file_line))
      << "stderr does not name " << path << ":LINE:" << Show(r);
  if (expected_line > 0) {
    EXPECT_EQ(std::stoi(m[1].str()), expected_line) << Show(r);
  }
}

int LineOf(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  if (pos == std::string::npos) return -1;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

TEST(HubCli, MalformedXmlConfigNamesFileAndLine) {
  std::string xml = TestConfigXml();
  // Break the document: an unterminated start tag in the middle.
  const std::string good = "<kommuner>";
  xml.replace(xml.find(good), good.size(), "<kommuner");
  ExpectConfigRefused(xml, /*expected_line=*/0);  // where the parser notices may vary
}

TEST(HubCli, SchemaViolationNamesFileAndLine) {
  std::string xml = TestConfigXml();
  const std::string good = "<kommun kod=\"1383\"/>";
  xml.replace(xml.find(good), good.size(), "<kommun kod=\"13830\"/>");
  ExpectConfigRefused(xml, LineOf(xml, "kod=\"13830\""));
}

TEST(HubCli, NonexistentKommunNamesFileAndLine) {
  std::string xml = TestConfigXml();
  const std::string good = "<kommun kod=\"1383\"/>";
  xml.replace(xml.find(good), good.size(), "<kommun kod=\"9999\"/>");
  ExpectConfigRefused(xml, LineOf(xml, "kod=\"9999\""));
}

TEST(HubCli, MissingConfigFileFails) {
  TempDir dir("HubCli.missing");
  const std::string path = dir.File("does-not-exist.xml");
  const ProcessResult r = RunProcess({SlussenBinary(), "--config", path});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << Show(r);
  EXPECT_THAT(r.err, HasSubstr(path)) << Show(r);
}

}  // namespace
}  // namespace slussen::testing
