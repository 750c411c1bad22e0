#include "browser/webdriver.h"

#include <dirent.h>
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "testing/files.h"
#include "testing/loopback_port.h"

extern char** environ;

namespace slussen::testing {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

// The key under which WebDriver names an element (W3C WebDriver, "web element identifier").
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";

std::string Base64Decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const auto at = kAlphabet.find(c);
    if (at == std::string::npos) continue;  // padding, line breaks
    acc = (acc << 6) | static_cast<uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// The process's command line, NULs as spaces; empty if it is gone.
std::string CommandLine(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : s) {
    if (c == '\0') c = ' ';
  }
  return s;
}

// Processes whose command line names `needle` (this session's own profile directory).
std::vector<pid_t> ProcessesNaming(const std::string& needle) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid != ::getpid() && CommandLine(pid).find(needle) != std::string::npos) {
      out.push_back(pid);
    }
  }
  ::closedir(proc);
  return out;
}

}  // namespace

Browser::Browser(BrowserOptions options) : options_(std::move(options)) {}

Browser::~Browser() { Shutdown(); }

Result<std::unique_ptr<Browser>> Browser::Start(const BrowserOptions& options) {
  for (const std::string* binary : {&options.chromedriver, &options.chromium}) {
    if (::access(binary->c_str(), X_OK) != 0) {
      return Error{*binary + " is missing: the browser test needs Debian's chromium and "
                   "chromium-driver (scripts/install-deps.sh installs them)"};
    }
  }
  std::unique_ptr<Browser> browser(new Browser(options));
  if (Status s = browser->Launch(); !s) return s.as_error();
  return browser;
}

Status Browser::Launch() {
  port_ = FreeLoopbackPort();
  if (port_ == 0) return Error{"no free loopback port for chromedriver"};
  const int log_fd = ::open(options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log_fd < 0) return Error{"cannot open " + options_.log_path};
  const int null_fd = ::open("/dev/null", O_RDONLY);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A group of its own: Chromium and its helpers are killed with it, and the test's terminal
  // signals do not reach them.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> args = {options_.chromedriver, "--port=" + std::to_string(port_)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log_fd);
  ::close(null_fd);
  if (rc != 0) {
    pid_ = -1;
    return Error{"cannot start " + options_.chromedriver + ": " + std::strerror(rc)};
  }

  http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  http_->set_connection_timeout(5);
  http_->set_read_timeout(60);
  const auto deadline = steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto status = http_->Get("/status");
    if (status && status->status == 200) {
      const json body = json::parse(status->body, nullptr, false);
      if (!body.is_discarded() && body["value"]["ready"] == true) break;
    }
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Error{"chromedriver exited before it was ready" + LogTail()};
    }
    if (steady_clock::now() > deadline) {
      return Error{"chromedriver was not ready within 60 s" + LogTail()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  const json caps = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:loggingPrefs", {{"browser", "ALL"}}},
          {"goog:chromeOptions",
           {{"binary", options_.chromium},
            // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            {"args",
             {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--user-data-dir=" + options_.profile_dir,
              "--window-size=" + std::to_string(options_.width) + "," +
                  std::to_string(options_.height)}}}}}}}}};
  auto created = Command("POST", "/session", caps);
  if (!created) return Error{"no browser session: " + created.error() + LogTail()};
  session_ = (*created).value("sessionId", "");
  if (session_.empty()) return Error{"no session id in " + created->dump()};
  return OkStatus();
}

Result<json> Browser::Command(const std::string& method, const std::string& path,
                              const json& body) {
  if (!http_) return Error{"no chromedriver"};
  const std::string payload = body.is_null() ? "{}" : body.dump();
  httplib::Result res = method == "GET"      ? http_->Get(path)
                        : method == "DELETE" ? http_->Delete(path)
                                             : http_->Post(path, payload, "application/json");
  if (!res) return Error{method + " " + path + ": " + httplib::to_string(res.error())};
  const json answer = json::parse(res->body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("value")) {
    return Error{method + " " + path + ": HTTP " + std::to_string(res->status) + " " +
                 res->body.substr(0, 500)};
  }
  if (res->status != 200) {
    const json& v = answer["value"];
    return Error{method + " " + path + ": " + v.value("error", "error") + ": " +
                 v.value("message", "").substr(0, 1000)};
  }
  return answer["value"];
}

Status Browser::Navigate(const std::string& url) {
  auto r = Command("POST", "/session/" + session_ + "/url", {{"url", url}});
  if (!r) return r.as_error();
  return OkStatus();
}

Result<std::string> Browser::Find(const std::string& css) {
  auto r = Command("POST", "/session/" + session_ + "/element",
                   {{"using", "css selector"}, {"value", css}});
  if (!r) return r.as_error();
  if (!r->is_object() || !r->contains(kElementKey)) {
    return Error{"no element id for " + css + " in " + r->dump().substr(0, 300)};
  }
  return (*r)[kElementKey].get<std::string>();
}

Status Browser::Click(const std::string& element) {
  auto r = Command("POST", "/session/" + session_ + "/element/" + element + "/click",
                   json::object());
  if (!r) return r.as_error();
  return OkStatus();
}

Status Browser::Type(const std::string& element, const std::string& text) {
  auto r = Command("POST", "/session/" + session_ + "/element/" + element + "/value",
                   {{"text", text}});
  if (!r) return r.as_error();
  return OkStatus();
}

Result<json> Browser::Execute(const std::string& script, const json& args) {
  return Command("POST", "/session/" + session_ + "/execute/sync",
                 {{"script", script}, {"args", args}});
}

Status Browser::Screenshot(const std::string& path) {
  auto r = Command("GET", "/session/" + session_ + "/screenshot");
  if (!r) return r.as_error();
  if (!r->is_string()) return Error{"the screenshot is not a string"};
  const std::string png = Base64Decode(r->get<std::string>());
  if (png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return Error{"the screenshot is not a PNG"};
  WriteFile(path, png);
  return OkStatus();
}

Result<json> Browser::ConsoleLog() {
  // Chromedriver's own endpoint (no W3C command reads the console).
  return Command("POST", "/session/" + session_ + "/se/log", {{"type", "browser"}});
}

void Browser::Shutdown() {
  if (!session_.empty() && http_) {
    // Closes Chromium the orderly way; what is left is killed below either way.
    http_->set_read_timeout(10);
    (void)Command("DELETE", "/session/" + session_);
    session_.clear();
  }
  http_.reset();
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    const auto deadline = steady_clock::now() + std::chrono::seconds(5);
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, WNOHANG) == 0 && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid_, SIGKILL);  // the rest of the group, and chromedriver if it is still there
    ::waitpid(pid_, &wstatus, 0);
    pid_ = -1;
  }
  // Chromium helpers that left the group still name this session's profile directory; wait
  // (a little) until none is left, so the next test starts with no browser of this one.
  if (!options_.profile_dir.empty()) {
    const std::string needle = "--user-data-dir=" + options_.profile_dir;
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    for (auto left = ProcessesNaming(needle); !left.empty() && steady_clock::now() < deadline;
         left = ProcessesNaming(needle)) {
      for (pid_t pid : left) ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::string Browser::LogTail() const {
  return "\n--- chromedriver log (" + options_.log_path + ", tail) ---\n" +
         ReadFileTail(options_.log_path, 4096) + "\n--- end ---";
}

}  // namespace slussen::testing
