#pragma once
// An operator's token hash for <admin><operator token-hash="…"/>, made the way an operator makes
// one: `slussen --hash-token` reading the token on stdin. A test failure if it does not work.
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>

#include "testing/child_process.h"
#include "testing/hub_process.h"

namespace slussen::testing {

inline std::string AdminTokenHash(const std::string& token) {
  const ProcessResult r =
      RunProcess({"/bin/sh", "-c", "printf '%s\\n' \"$0\" | \"$1\" --hash-token", token,
                  SlussenBinary()});
  EXPECT_TRUE(r.status.Ok()) << r.err;
  std::string hash = r.out;
  while (!hash.empty() && hash.back() == '\n') hash.pop_back();
  return hash;
}

// The header an operator's request carries.
inline httplib::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// A client of a hub's admin listener (`endpoint` is HOST:PORT, the ready line's admin=).
inline httplib::Client AdminClient(const std::string& endpoint, int read_timeout_seconds = 30) {
  httplib::Client c("http://" + endpoint);
  c.set_read_timeout(read_timeout_seconds);
  return c;
}

}  // namespace slussen::testing
