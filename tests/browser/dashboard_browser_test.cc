// The dashboard in Debian's Chromium (headless, over WebDriver), against the real hub: events go
// out with the kommun's receiver rejecting them and nobody attached for the vårdcentral, the page
// must show the same depths, dead counts and dead letters as the API, and a retry from the page
// must take a dead letter off its list. A screenshot goes to SLUSSEN_ARTIFACT_DIR/dashboard.png.
//
// chromium and chromium-driver are test dependencies (scripts/install-deps.sh): without them
// this test fails, it does not skip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "browser/webdriver.h"
#include "testing/admin_token.h"
#include "testing/child_process.h"
#include "testing/hub_fixture.h"
#include "testing/message_collector.h"
#include "build_paths/integration.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr char kOperatorToken[] = "operator-token-dashboard-0123456789";
constexpr char kViewerToken[] = "viewer-token-dashboard-0123456789";
// More than the page shows of a list (50), so that its bounds show too.
constexpr int kEvents = 60;
constexpr std::size_t kRowsShown = 50;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// What the page shows, read from its tables as text.
constexpr char kReadPage[] = R"js(
  const text = (tr, cls) => { const td = tr.querySelector('td.' + cls);
                              return td ? td.textContent : null; };
  const done = document.getElementById('retry-done');
  const destinations = {};
  document.querySelectorAll('#destinations tbody tr').forEach((tr) => {
    destinations[tr.dataset.destination] = {depth: text(tr, 'depth'), dead: text(tr, 'dead')};
  });
  return {
    status: document.getElementById('status').textContent,
    destinations,
    dead: Array.from(document.querySelectorAll('#deadletters tbody tr'))
               .map((tr) => tr.dataset.seq),
    cases: Array.from(document.querySelectorAll('#cases tbody tr')).map((tr) => tr.dataset.caseId),
    casesNote: document.getElementById('cases-count').textContent,
    deadNote: document.getElementById('deadletters-count').textContent,
    deadTotal: document.getElementById('sum-dead').textContent,
    missedTotal: document.getElementById('sum-missed').textContent,
    atRiskTotal: document.getElementById('sum-at-risk').textContent,
    deadMessage: document.querySelector('#deadletters-panel .panel-message').textContent,
    retryDone: done.hidden ? '' : done.textContent,
    outcomeBars: document.querySelectorAll('#outcomes-chart rect').length,
    loginShown: !document.getElementById('login').hidden,
  };
)js";

class DashboardBrowser : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    static const std::string operator_hash = AdminTokenHash(kOperatorToken);
    static const std::string viewer_hash = AdminTokenHash(kViewerToken);
    TestConfigOptions o;
    o.admin_element = "<admin host=\"127.0.0.1\" port=\"0\"><operator name=\"otto\" "
                      "role=\"operator\" token-hash=\"" + operator_hash + "\"/><operator "
                      "name=\"vera\" role=\"viewer\" token-hash=\"" + viewer_hash + "\"/></admin>";
    return o;
  }

  void TearDown() override {
    if (browser_ && HasFailure()) {
      const std::string path = ArtifactPath("dashboard-failure.png");
      if (browser_->Screenshot(path)) std::cerr << "screenshot of the failure: " << path << "\n";
    }
    browser_.reset();  // chromedriver and Chromium end here, pass or fail
    HubTest::TearDown();
  }

  static std::string ArtifactPath(const std::string& name) {
    const std::string dir = EnvOr("SLUSSEN_ARTIFACT_DIR", SLUSSEN_ARTIFACT_DIR);
    std::filesystem::create_directories(dir);
    return dir + "/" + name;
  }

  httplib::Client Admin() {
    httplib::Client c("http://" + hub().Endpoint("admin"));
    c.set_read_timeout(30);
    return c;
  }
  json Get(const std::string& path) {
    auto c = Admin();
    auto r = c.Get(path, {{"Authorization", std::string("Bearer ") + kOperatorToken}});
    if (!r || r->status != 200) return nullptr;
    return json::parse(r->body, nullptr, false);
  }

  // Reads the page until `pred` holds for what it shows (the page refreshes every few seconds).
  bool PageUntil(const std::function<bool(const json&)>& pred, json* last,
                 std::chrono::seconds timeout = std::chrono::seconds(60)) {
    return PollUntil([&] {
      auto page = browser_->Execute(kReadPage);
      if (!page) {
        *last = json{{"error", page.error()}};
        return false;
      }
      *last = *page;
      return pred(*page);
    }, timeout);
  }

  // Finds and clicks (or types into) the element, again if a refresh replaced it in between
  // (a stale element) or it is not there yet.
  ::testing::AssertionResult Act(const std::string& css, const std::string* text = nullptr) {
    std::string last;
    const bool done = PollUntil([&] {
      auto element = browser_->Find(css);
      if (!element) {
        last = element.error();
        return false;
      }
      const Status s = text ? browser_->Type(*element, *text) : browser_->Click(*element);
      if (!s) last = s.error();
      return s.ok();
    });
    if (done) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << css << ": " << last;
  }
  ::testing::AssertionResult Click(const std::string& css) { return Act(css); }
  ::testing::AssertionResult Type(const std::string& css, const std::string& text) {
    return Act(css, &text);
  }

  ::testing::AssertionResult SignIn(const std::string& token) {
    if (auto typed = Type("#token", token); !typed) return typed;
    return Click("#login-submit");
  }

  std::unique_ptr<Browser> browser_;
};

TEST_F(DashboardBrowser, ShowsWhatTheApiSaysAndRetriesADeadLetter) {
  std::filesystem::remove(ArtifactPath("dashboard-failure.png"));  // an earlier run's
  // The page and its files need no token, and say where they may load from.
  {
    auto c = Admin();
    auto page = c.Get("/");
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200);
    EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
    EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
                HasSubstr("default-src 'none'; script-src 'self'; style-src 'self'"));
    EXPECT_THAT(page->body, ::testing::Not(HasSubstr("<script>")));
    for (const char* asset : {"/dashboard.js", "/dashboard-charts.js", "/dashboard.css"}) {
      auto r = c.Get(asset);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200) << asset;
    }
  }

  // The kommun's receiver rejects everything (dead letters); nobody takes the vårdcentral's
  // copies (depth). Every case's inskrivningsmeddelande comes two days late (a deadline missed).
  std::atomic<bool> reject{true};
  MessageCollector kommun([&](const client::IncomingMessage&, int) {
    return reject ? client::Disposition::kReject : client::Disposition::kAccept;
  });
  auto client = NewClient();
  ASSERT_TRUE(client);
  std::string error;
  ASSERT_GE(client->Receive(OutAddress(KommunDestination(kTestKommun)), kommun.Handler(), 10,
                            &error), 0) << error;
  std::set<std::string> ids;
  const auto two_days_ago = std::chrono::system_clock::now() - std::chrono::hours(48);
  for (int i = 0; i < kEvents; ++i) {
    v1::Envelope env = ValidInskrivningOwnCase();
    env.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(two_days_ago.time_since_epoch()).count() +
        i);
    env.mutable_inskrivningsmeddelande()->clear_assessed_at();
    ids.insert(env.event_id());
    ASSERT_EQ(client->Send("events", ToMessage(env)).kind, client::SendOutcome::Kind::kAccepted);
  }
  ASSERT_TRUE(kommun.WaitForIds(ids)) << HubLog();

  // What the API says once everything has settled: every kommun copy dead, every vårdcentral
  // copy waiting, every case late.
  json destinations, dead, cases;
  ASSERT_TRUE(PollUntil([&] {
    dead = Get("/api/v1/deadletters?limit=100");
    destinations = Get("/api/v1/destinations");
    cases = Get("/api/v1/cases?limit=100");
    if (!dead.is_object() || !destinations.is_object() || !cases.is_object()) return false;
    if (dead["deadletters"].size() != kEvents || cases["cases"].size() != kEvents) return false;
    for (const auto& d : destinations["destinations"]) {
      if (d["destination"] == VardcentralDestination(kTestVardcentral) && d["depth"] != kEvents) {
        return false;
      }
    }
    return true;
  })) << "deadletters: " << dead.dump() << "\ndestinations: " << destinations.dump() << HubLog();
  std::map<std::string, std::pair<std::string, std::string>> want;  // depth, dead as text
  for (const auto& d : destinations["destinations"]) {
    want[d["destination"]] = {d["depth"].dump(), d["dead_letters"].dump()};
  }
  // The page shows the first 50 of each list, in the API's order: the newest dead letters, the
  // most urgent cases.
  json want_dead = json::array(), want_cases = json::array();
  for (std::size_t i = 0; i < kRowsShown; ++i) {
    want_dead.push_back(dead["deadletters"][i]["seq"].dump());
    want_cases.push_back(cases["cases"][i]["case_id"]);
  }

  BrowserOptions options;
  options.chromedriver = EnvOr("SLUSSEN_CHROMEDRIVER", "/usr/bin/chromedriver");
  options.chromium = EnvOr("SLUSSEN_CHROMIUM", "/usr/bin/chromium");
  options.profile_dir = dir().File("chromium-profile");
  options.log_path = dir().File("chromedriver.log");
  auto browser = Browser::Start(options);
  ASSERT_TRUE(browser) << browser.error();
  browser_ = std::move(*browser);

  ASSERT_TRUE(browser_->Navigate("http://" + hub().Endpoint("admin") + "/"));
  ASSERT_TRUE(SignIn(kOperatorToken));

  // The tables show what the API said.
  json page;
  EXPECT_TRUE(PageUntil([&](const json& p) {
    if (p["destinations"].size() != want.size()) return false;
    for (const auto& [name, numbers] : want) {
      if (!p["destinations"].contains(name)) return false;
      if (p["destinations"][name]["depth"] != numbers.first) return false;
      if (p["destinations"][name]["dead"] != numbers.second) return false;
    }
    return p["dead"] == want_dead && p["cases"] == want_cases &&
           p["deadTotal"] == std::to_string(kEvents) &&
           p["missedTotal"] == cases["totals"]["missed_open"].dump() &&
           p["atRiskTotal"] == cases["totals"]["at_risk"].dump() && p["outcomeBars"].get<int>() > 0;
  }, &page)) << "the page shows: " << page.dump(2) << "\nthe API: " << destinations.dump()
             << "\n" << dead.dump() << "\n" << cases.dump();
  EXPECT_THAT(page["status"].get<std::string>(), HasSubstr("updated"));
  EXPECT_EQ(page["casesNote"], "showing the first 50; there are more");
  EXPECT_EQ(page["deadNote"], "showing the first 50; there are more");
  const std::string screenshot = ArtifactPath("dashboard.png");
  const Status shot = browser_->Screenshot(screenshot);
  EXPECT_TRUE(shot) << shot.error();
  std::cout << "dashboard screenshot: " << screenshot << std::endl;

  // Retry the newest dead letter from the page, with a reason typed into its form.
  reject = false;
  const std::string seq = dead["deadletters"][0]["seq"].dump();
  const std::string event_id = dead["deadletters"][0]["event_id"];
  ASSERT_TRUE(Click("#deadletters tr[data-seq=\"" + seq + "\"] button.retry"));
  ASSERT_TRUE(Type("#retry-reason", "the kommun fixed its mapping"));
  ASSERT_TRUE(Click("#retry-submit"));
  EXPECT_TRUE(PageUntil([&](const json& p) {
    for (const auto& s : p["dead"]) {
      if (s == seq) return false;
    }
    return p["dead"].size() == kRowsShown &&
           p["retryDone"].get<std::string>().find(seq) != std::string::npos;
  }, &page)) << "the page shows: " << page.dump(2);
  EXPECT_TRUE(kommun.WaitForId(event_id, 2)) << "the retried event went out again" << HubLog();
  const json after = Get("/api/v1/deadletters?limit=100");
  ASSERT_TRUE(after.is_object());
  EXPECT_EQ(after["deadletters"].size(), static_cast<std::size_t>(kEvents - 1));
  EXPECT_EQ(store().QueryStrings("SELECT operator || ': ' || reason FROM delivery_actions"),
            std::vector<std::string>{"otto: the kommun fixed its mapping"});

  // A viewer sees the queues and cases, and "needs role operator" where the dead letters were.
  ASSERT_TRUE(Click("#sign-out"));
  ASSERT_TRUE(SignIn(kViewerToken));
  EXPECT_TRUE(PageUntil([&](const json& p) {
    return p["deadMessage"].get<std::string>().find("needs role operator") != std::string::npos &&
           p["dead"].empty() && p["destinations"].size() == want.size();
  }, &page)) << "the page shows: " << page.dump(2);

  // A wrong token brings the sign-in form back.
  ASSERT_TRUE(Click("#sign-out"));
  ASSERT_TRUE(SignIn("not-the-token-at-all-0123456789"));
  EXPECT_TRUE(PageUntil([&](const json& p) { return p["loginShown"] == true; }, &page))
      << "the page shows: " << page.dump(2);

  // Nothing the page did broke its own Content-Security-Policy. (The console is read for real:
  // the wrong token's 401 is in it.)
  auto console = browser_->ConsoleLog();
  ASSERT_TRUE(console) << console.error();
  std::string messages;
  for (const auto& entry : *console) messages += entry.value("message", "") + "\n";
  EXPECT_THAT(messages, HasSubstr("401"));
  EXPECT_THAT(messages, ::testing::Not(HasSubstr("Content Security Policy"))) << messages;
  EXPECT_THAT(messages, ::testing::Not(HasSubstr("Content-Security-Policy"))) << messages;
}

}  // namespace
}  // namespace slussen::testing
