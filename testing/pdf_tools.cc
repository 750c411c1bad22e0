#include "testing/pdf_tools.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace slussen::testing {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string RunTool(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << command << " (poppler-utils installed? scripts/install-deps.sh)\n" << out;
  return out;
}

std::string PdfText(const std::string& path, int first, int last) {
  std::string range;
  if (first > 0) range += " -f " + std::to_string(first);
  if (last > 0) range += " -l " + std::to_string(last);
  return RunTool("pdftotext -enc UTF-8" + range + " " + ShellQuote(path) + " -");
}

std::string PdfInfo(const std::string& path) { return RunTool("pdfinfo " + ShellQuote(path)); }

int PdfPages(const std::string& path) {
  const std::string info = PdfInfo(path);
  const auto pos = info.find("Pages:");
  if (pos == std::string::npos) {
    ADD_FAILURE() << "no page count in pdfinfo output:\n" << info;
    return 0;
  }
  return std::stoi(info.substr(pos + 6));
}

std::string FileHead(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

}  // namespace slussen::testing
