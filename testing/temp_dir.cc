#include "testing/temp_dir.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <iostream>
#include <system_error>

namespace slussen::testing {

namespace {
std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c
                                                                                             : '_';
  }
  if (out.size() > 80) out.resize(80);
  return out;
}
}  // namespace

TempDir::TempDir(const std::string& prefix) {
  path_ = MakeTempDir("/tmp", Sanitize(prefix) + "-");
  if (path_.empty()) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp /tmp/" + Sanitize(prefix));
  }
}

TempDir::~TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const bool failed = info != nullptr && info->result() != nullptr && info->result()->Failed();
  if (keep_ || failed) {
    std::cerr << "[ temp dir ] kept for inspection: " << path_ << "\n";
    return;
  }
  RemoveTree(path_);
}

std::string TempDir::File(const std::string& name) const { return path_ + "/" + name; }

}  // namespace slussen::testing
