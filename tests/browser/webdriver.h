#pragma once
// A headless Chromium driven over W3C WebDriver: Debian's chromedriver started on a free loopback
// port, one session, and the few commands the dashboard test needs, spoken as JSON over HTTP
// (cpp-httplib, nlohmann-json): no npm, no Selenium.
//
// Chromedriver runs in a process group of its own and Chromium below it; the destructor ends the
// session, then kills the group and any process still running with this session's profile
// directory, so that a failing test leaves no browser behind.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace httplib {
class Client;
}

namespace slussen::testing {

struct BrowserOptions {
  std::string chromedriver = "/usr/bin/chromedriver";
  std::string chromium = "/usr/bin/chromium";
  std::string profile_dir;  // a fresh directory of this test's (--user-data-dir)
  std::string log_path;     // chromedriver's log
  int width = 1400;
  int height = 1400;
};

class Browser {
 public:
  // Starts chromedriver and opens a session; an error (with chromedriver's log tail) if either
  // binary is missing or the session does not come up.
  static Result<std::unique_ptr<Browser>> Start(const BrowserOptions& options);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  Status Navigate(const std::string& url);
  // The element's WebDriver id, for the first match of a CSS selector.
  Result<std::string> Find(const std::string& css);
  Status Click(const std::string& element);
  Status Type(const std::string& element, const std::string& text);
  // Runs `script` (a function body: `return ...;`) in the page with `args`; its return value.
  Result<nlohmann::json> Execute(const std::string& script,
                                 const nlohmann::json& args = nlohmann::json::array());
  // The page as a PNG, written to `path`.
  Status Screenshot(const std::string& path);
  // The browser's console messages since the last call (level, message), if chromedriver keeps
  // them (it does with goog:loggingPrefs).
  Result<nlohmann::json> ConsoleLog();

 private:
  explicit Browser(BrowserOptions options);
  Status Launch();
  // One WebDriver command: its "value", or the error WebDriver answered with.
  Result<nlohmann::json> Command(const std::string& method, const std::string& path,
                                 const nlohmann::json& body = nullptr);
  void Shutdown();
  std::string LogTail() const;

  BrowserOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;  // chromedriver, leader of its process group
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

}  // namespace slussen::testing
