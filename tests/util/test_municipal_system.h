#pragma once
// A municipal system for the municipality adapter's integration tests: a real HTTP server
// (cpp-httplib) on 127.0.0.1, any free port, that takes POSTs on /dokument and answers each with
// the next scripted status (then 200 once the script is used up), after a delay the test sets.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace slussen::testing {

class TestMunicipalSystem {
 public:
  struct Answer {
    int status;
    std::string body;
  };
  struct Post {
    std::string body;
    std::string content_type;
    std::string event_id;  // X-Slussen-Event-Id
  };

  TestMunicipalSystem() {
    server_.Post("/dokument", [this](const httplib::Request& req, httplib::Response& res) {
      Answer a{200, "mottaget"};
      std::chrono::milliseconds delay{0};
      {
        std::lock_guard lock(mu_);
        posts_.push_back({req.body, req.get_header_value("Content-Type"),
                          req.get_header_value("X-Slussen-Event-Id")});
        if (!script_.empty()) {
          a = script_.front();
          script_.pop_front();
        }
        delay = delay_;
        cv_.notify_all();
      }
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      res.status = a.status;
      res.set_content(a.body, "text/plain; charset=utf-8");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_GT(port_, 0) << "the test system cannot listen";
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib's stop() does nothing to a server not yet running, whose listen then never ends.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestMunicipalSystem() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/dokument"; }
  void Script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    script_.assign(answers.begin(), answers.end());
  }
  void SetDelay(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    delay_ = d;
  }
  // Waits until at least `n` POSTs have come; false after `timeout`.
  bool WaitForPosts(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return posts_.size() >= n; });
  }
  std::vector<Post> posts() const {
    std::lock_guard lock(mu_);
    return posts_;
  }
  std::set<std::string> EventIds() const {
    std::set<std::string> ids;
    for (const auto& p : posts()) ids.insert(p.event_id);
    return ids;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Answer> script_;
  std::chrono::milliseconds delay_{0};
  std::vector<Post> posts_;
};

}  // namespace slussen::testing
