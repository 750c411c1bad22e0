#pragma once
// A unique scratch directory under /tmp for one test. It is removed when the object goes away,
// unless the current test has failed: then it is kept (and its path printed) so that the hub's
// log and store can be inspected.
#include <string>

#include "testing/files.h"

namespace slussen::testing {

class TempDir {
 public:
  // `prefix` becomes part of the directory name, e.g. "HubIntegration.Restart".
  explicit TempDir(const std::string& prefix = "slussen-itest");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const;

  // Keep the directory even if the test passes.
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace slussen::testing
