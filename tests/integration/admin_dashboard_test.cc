// The dashboard's side of the admin API against the real hub: the page and its files without a
// token under a strict Content-Security-Policy, and the deadline outcomes per day its chart draws
// (GET /api/v1/outcomes). The page itself is driven in Chromium by tests/browser/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/admin_token.h"
#include "testing/hub_fixture.h"

namespace slussen::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr char kViewerToken[] = "viewer-token-outcomes-0123456789";

class AdminDashboard : public HubTest {
 protected:
  TestConfigOptions ConfigOptions() const override {
    static const std::string viewer_hash = AdminTokenHash(kViewerToken);
    TestConfigOptions o;
    o.admin_element = "<admin host=\"127.0.0.1\" port=\"0\"><operator name=\"vera\" "
                      "role=\"viewer\" token-hash=\"" + viewer_hash + "\"/></admin>";
    return o;
  }
  httplib::Client Client() { return AdminClient(hub().Endpoint("admin")); }
  static httplib::Headers Viewer() { return Bearer(kViewerToken); }
};

TEST_F(AdminDashboard, ThePageAndItsFilesNeedNoTokenAndAllowNothingFromElsewhere) {
  auto c = Client();
  struct Asset {
    const char* path;
    const char* type;
    const char* contains;
  };
  for (const Asset& a : {Asset{"/", "text/html", "<script src=\"/dashboard.js\""},
                         Asset{"/dashboard.js", "text/javascript", "/api/v1/destinations"},
                         Asset{"/dashboard-charts.js", "text/javascript", "SlussenCharts"},
                         Asset{"/dashboard.css", "text/css", ".panel"}}) {
    auto r = c.Get(a.path);
    ASSERT_TRUE(r) << a.path;
    EXPECT_EQ(r->status, 200) << a.path;
    EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr(a.type)) << a.path;
    EXPECT_THAT(r->body, HasSubstr(a.contains)) << a.path;
    EXPECT_EQ(r->get_header_value("Content-Security-Policy"),
              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
              "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        << a.path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << a.path;
    // Nothing from outside the machine: no URL of another host anywhere in the page.
    EXPECT_THAT(r->body, ::testing::Not(HasSubstr("https://"))) << a.path;
  }
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, ::testing::Not(HasSubstr("<script>"))) << "no inline script";
  EXPECT_THAT(page->body, ::testing::Not(HasSubstr("<style"))) << "no inline style";
  EXPECT_THAT(page->body, ::testing::Not(HasSubstr("style=\""))) << "no inline style";
}

// Two inskrivningsmeddelanden two days late: their deadlines, due yesterday or so, count as met
// late on the day they fell due; the days run oldest first to today.
TEST_F(AdminDashboard, OutcomesCountEachDaysDeadlinesByRule) {
  auto client = NewClient();
  ASSERT_TRUE(client);
  const auto two_days_ago = std::chrono::system_clock::now() - std::chrono::hours(48);
  for (int i = 0; i < 2; ++i) {
    v1::Envelope late = ValidInskrivningOwnCase();
    late.mutable_inskrivningsmeddelande()->mutable_admitted_at()->set_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(two_days_ago.time_since_epoch()).count());
    late.mutable_inskrivningsmeddelande()->clear_assessed_at();
    ASSERT_EQ(client->Send("events", ToMessage(late)).kind, client::SendOutcome::Kind::kAccepted);
  }
  auto c = Client();
  json body;
  auto total = [](const json& days, const char* what) {
    int64_t n = 0;
    for (const auto& d : days) n += d[what].get<int64_t>();
    return n;
  };
  ASSERT_TRUE(PollUntil([&] {
    auto r = c.Get("/api/v1/outcomes?days=7", Viewer());
    if (!r || r->status != 200) return false;
    body = json::parse(r->body);
    return total(body["days"], "met_late") == 2;
  })) << body.dump(2) << HubLog();
  EXPECT_EQ(body["time_zone"], "Europe/Stockholm");
  ASSERT_EQ(body["days"].size(), 7u);
  EXPECT_LT(body["days"][0]["date"].get<std::string>(),
            body["days"][6]["date"].get<std::string>());
  EXPECT_EQ(total(body["days"], "met"), 0);
  EXPECT_EQ(total(body["days"], "missed"), 0);
  for (const auto& d : body["days"]) {
    if (d["met_late"] == 0) continue;
    ASSERT_EQ(d["rules"].size(), 1u) << d.dump();
    EXPECT_THAT(d["rules"][0]["rule"].get<std::string>(), HasSubstr("2017:612"));
    EXPECT_EQ(d["rules"][0]["met_late"], d["met_late"]);
  }
  auto one = c.Get("/api/v1/outcomes", Viewer());
  ASSERT_TRUE(one);
  EXPECT_EQ(json::parse(one->body)["days"].size(), 14u) << "two weeks unless asked";
}

TEST_F(AdminDashboard, OutcomesAreBoundedAndNeedAToken) {
  auto c = Client();
  for (const char* bad : {"0", "91", "lots", "-1"}) {
    auto r = c.Get(std::string("/api/v1/outcomes?days=") + bad, Viewer());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_THAT(json::parse(r->body)["error"].get<std::string>(), HasSubstr("days")) << bad;
  }
  auto most = c.Get("/api/v1/outcomes?days=90", Viewer());
  ASSERT_TRUE(most);
  EXPECT_EQ(most->status, 200);
  auto none = c.Get("/api/v1/outcomes");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

}  // namespace
}  // namespace slussen::testing
