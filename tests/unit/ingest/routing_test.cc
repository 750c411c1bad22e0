#include "ingest/routing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "wire/event_kind.h"

namespace slussen {
namespace {

// Monday 2026-11-23 10:00 in Stockholm (09:00 UTC): an ordinary working day.
const std::chrono::system_clock::time_point kWeekday =
    std::chrono::sys_days(std::chrono::year(2026) / 11 / 23) + std::chrono::hours(9);


using ::testing::ElementsAreArray;

constexpr char kVardcentral[] = "SE2321000131-vc1";
constexpr char kVcDestination[] = "vc-SE2321000131-vc1";

Config RoutingConfig() {
  Config c;
  for (const char* kod : {"1315", "1380", "1381", "1382", "1383", "1384"}) {
    c.kommuner.push_back({kod, "", std::string("kommun-") + kod});
  }
  c.vardcentraler.push_back({kVardcentral, "Vårdcentralen Test", kVcDestination});
  c.destinations.push_back({"ehr-halland", "Region Hallands journal"});
  c.destinations.push_back({"letter", "Brevutskick"});
  using K = EventKind;
  c.routes = {
      {K::kInskrivningsmeddelande, true, true, {}},
      {K::kEstimatedDischargeChanged, true, true, {}},
      {K::kPlaneringsunderlag, true, true, {}},
      {K::kPlaneringsunderlagSvar, false, false, {"ehr-halland"}},
      {K::kUtskrivningsklar, true, true, {}},
      {K::kUtskrivningsklarWithdrawn, true, true, {}},
      // Fixed ids out of order and overlapping the kommun: the result must be sorted, unique.
      {K::kKallelseSip, true, true, {"letter", "kommun-1380", "ehr-halland", "letter"}},
      {K::kUtskrivningsmeddelande, false, true, {}},
      {K::kUtskrivning, false, false, {}},  // the discharge fact: the hub's case tracking only
      {K::kSipBedomning, false, false, {}},  // a misconfiguration the loader refuses
      {K::kReceipt, false, false, {}},
      // No route for Cancellation.
  };
  return c;
}

v1::Envelope Envelope(EventKind kind, const std::string& kommunkod = "1380",
                      const std::string& listed = kVardcentral) {
  v1::Envelope env;
  env.mutable_patient()->set_kommunkod(kommunkod);
  env.mutable_patient()->set_listed_care_unit_hsa_id(listed);
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: env.mutable_inskrivningsmeddelande(); break;
    case EventKind::kEstimatedDischargeChanged: env.mutable_estimated_discharge_changed(); break;
    case EventKind::kPlaneringsunderlag:
      env.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::REQUEST);
      break;
    case EventKind::kPlaneringsunderlagSvar:
      env.mutable_planeringsunderlag()->set_direction(v1::Planeringsunderlag::ANSWER);
      break;
    case EventKind::kUtskrivningsklar: env.mutable_utskrivningsklar(); break;
    case EventKind::kUtskrivningsklarWithdrawn: env.mutable_utskrivningsklar_withdrawn(); break;
    case EventKind::kKallelseSip: env.mutable_kallelse_sip(); break;
    case EventKind::kUtskrivningsmeddelande: env.mutable_utskrivningsmeddelande(); break;
    case EventKind::kReceipt:
      env.clear_patient();
      env.mutable_receipt();
      break;
    case EventKind::kCancellation: env.mutable_cancellation(); break;
    case EventKind::kClockStopper: env.mutable_clock_stopper(); break;
    case EventKind::kUtskrivning: env.mutable_utskrivning(); break;
    case EventKind::kSipBedomning: env.mutable_sip_bedomning(); break;
  }
  return env;
}

struct RouteCase {
  std::string name;
  v1::Envelope env;
  std::vector<std::string> want;  // when ok
  std::string error;              // "" = expect success; else the exact error
  std::function<void(Config&)> tweak_config = nullptr;
};

void PrintTo(const RouteCase& c, std::ostream* os) { *os << c.name; }

std::vector<RouteCase> Cases() {
  using K = EventKind;
  v1::Envelope no_event;
  no_event.mutable_patient()->set_kommunkod("1380");
  v1::Envelope no_direction = Envelope(K::kPlaneringsunderlag);
  no_direction.mutable_planeringsunderlag()->clear_direction();
  return {
      {"KommunAndVardcentral", Envelope(K::kInskrivningsmeddelande),
       {"kommun-1380", kVcDestination}, ""},
      {"OtherKommun", Envelope(K::kUtskrivningsklar, "1384"), {"kommun-1384", kVcDestination},
       ""},
      {"NotListed", Envelope(K::kInskrivningsmeddelande, "1380", ""), {"kommun-1380"}, ""},
      {"ListedAtUnknownVardcentral",
       Envelope(K::kInskrivningsmeddelande, "1380", "SE2321000131-other"),
       {},
       "patient.listed_care_unit_hsa_id: vårdcentral SE2321000131-other is not configured"},
      {"KommunNotServed", Envelope(K::kEstimatedDischargeChanged, "0180"), {},
       "patient.kommunkod: kommun 0180 (Stockholm) is not served by this hub"},
      {"KommunDoesNotExist", Envelope(K::kEstimatedDischargeChanged, "9999"), {},
       "patient.kommunkod: no Swedish municipality has kommunkod 9999"},
      {"KommunMissing", Envelope(K::kUtskrivningsklar, ""), {},
       "patient.kommunkod: missing (Utskrivningsklar is routed to the kommun)"},
      {"FixedAndDynamicSortedUnique", Envelope(K::kKallelseSip),
       {"ehr-halland", "kommun-1380", "letter", kVcDestination}, ""},
      {"AnswerGoesToFixedDestination", Envelope(K::kPlaneringsunderlagSvar), {"ehr-halland"},
       ""},
      {"PrimaryCareOnly", Envelope(K::kUtskrivningsmeddelande), {kVcDestination}, ""},
      {"PrimaryCareOnlyButNotListed", Envelope(K::kUtskrivningsmeddelande, "1380", ""), {},
       "Utskrivningsmeddelande for this patient has no destination"},
      {"ReceiptEndsAtHub", Envelope(K::kReceipt), {}, ""},
      {"ReceiptForwarded", Envelope(K::kReceipt), {"ehr-halland"}, "",
       [](Config& c) { c.routes.back().to = {"ehr-halland"}; }},
      // The discharge fact may end at the hub (MayEndAtHub); a SIP assessment may not.
      {"DischargeFactEndsAtHub", Envelope(K::kUtskrivning), {}, ""},
      {"SipAssessmentWithNoDestinationIsRefused", Envelope(K::kSipBedomning), {},
       "SipBedomning for this patient has no destination"},
      {"NoRoute", Envelope(K::kCancellation), {}, "no route configured for Cancellation"},
      {"EmptyFixedRoute", Envelope(K::kUtskrivningsklarWithdrawn), {},
       "UtskrivningsklarWithdrawn for this patient has no destination",
       [](Config& c) {
         for (auto& r : c.routes) {
           if (r.kind == EventKind::kUtskrivningsklarWithdrawn) r = {r.kind, false, false, {}};
         }
       }},
      {"NoEvent", no_event, {}, "event: no event type set"},
      {"NoDirection", no_direction, {}, "planeringsunderlag.direction: must be REQUEST or ANSWER"},
  };
}

class RouteEventTest : public ::testing::TestWithParam<RouteCase> {};

TEST_P(RouteEventTest, Routes) {
  const RouteCase& c = GetParam();
  Config config = RoutingConfig();
  if (c.tweak_config) c.tweak_config(config);
  const auto got = RouteEvent(c.env, config, kWeekday);
  if (c.error.empty()) {
    ASSERT_TRUE(got.ok()) << got.error();
    EXPECT_THAT(*got, ElementsAreArray(c.want));
  } else {
    ASSERT_FALSE(got.ok()) << ::testing::PrintToString(*got);
    EXPECT_EQ(got.error(), c.error);
  }
}

INSTANTIATE_TEST_SUITE_P(Routes, RouteEventTest, ::testing::ValuesIn(Cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace slussen

namespace slussen {
namespace {

// Weekend and holiday routing: a kommun's off-hours unit also gets what arrives on a Saturday,
// Sunday or public holiday (Stockholm date), never instead of the kommun itself.
TEST(RouteOffHours, WeekendsAndHolidaysAlsoGoToTheOffHoursUnit) {
  Config config = RoutingConfig();
  config.destinations.push_back({"kommun-1380-helg", "Halmstad helgteam"});
  for (auto& k : config.kommuner) {
    if (k.kod == "1380") k.off_hours_destination = "kommun-1380-helg";
  }
  const auto env = Envelope(EventKind::kUtskrivningsklar);
  using std::chrono::hours;
  using std::chrono::sys_days;
  struct When {
    const char* name;
    std::chrono::system_clock::time_point t;
    bool off_hours;
  };
  const When cases[] = {
      {"Monday", kWeekday, false},
      {"Saturday", sys_days(std::chrono::year(2026) / 11 / 28) + hours(9), true},
      {"Långfredagen 2026", sys_days(std::chrono::year(2026) / 4 / 3) + hours(9), true},
      {"midsommarafton 2026 (eves are holidays by default)",
       sys_days(std::chrono::year(2026) / 6 / 19) + hours(9), true},
      // Sunday 23:30 UTC is Monday 00:30 in Stockholm: a working day.
      {"Sunday night UTC, Monday in Stockholm", sys_days(std::chrono::year(2026) / 11 / 29) + hours(23) +
           std::chrono::minutes(30), false},
  };
  for (const auto& w : cases) {
    SCOPED_TRACE(w.name);
    const auto got = RouteEvent(env, config, w.t);
    ASSERT_TRUE(got.ok()) << got.error();
    const bool has_off_hours =
        std::find(got->begin(), got->end(), "kommun-1380-helg") != got->end();
    EXPECT_EQ(has_off_hours, w.off_hours);
    EXPECT_NE(std::find(got->begin(), got->end(), "kommun-1380"), got->end());
  }
  // Without eves as holidays, midsommarafton is a working day.
  config.agreement.eves_are_holidays = false;
  const auto got = RouteEvent(env, config, sys_days(std::chrono::year(2026) / 6 / 19) + hours(9));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::find(got->begin(), got->end(), "kommun-1380-helg"), got->end());
}

}  // namespace
}  // namespace slussen

namespace slussen {
namespace {

// 5 kap. 2 § lag (2017:612): a kommun that placed the patient in a särskild boendeform in
// another kommun pays, so it also receives what is routed to the kommun when this hub serves it
// (hub/DESIGN.md "The paying kommun"). One the hub does not serve is not an error: the event
// goes to the kommun of folkbokföring as always, and the report names the placing kommun.
TEST(RoutePlacingKommun, ThePayingPlacingKommunAlsoReceivesTheKommunsEvents) {
  const Config config = RoutingConfig();
  auto env = Envelope(EventKind::kUtskrivningsklar, "1380", "");
  env.mutable_patient()->set_placing_kommunkod("1384");
  auto got = RouteEvent(env, config, kWeekday);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_THAT(*got, ElementsAreArray({"kommun-1380", "kommun-1384"}));

  // Not routed to the kommun at all (the answer goes to the EHR): nor to the placing kommun.
  auto answer = Envelope(EventKind::kPlaneringsunderlagSvar, "1380", "");
  answer.mutable_patient()->set_placing_kommunkod("1384");
  got = RouteEvent(answer, config, kWeekday);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_THAT(*got, ElementsAreArray({"ehr-halland"}));

  env.mutable_patient()->set_placing_kommunkod("1480");  // Göteborg: not served here
  got = RouteEvent(env, config, kWeekday);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_THAT(*got, ElementsAreArray({"kommun-1380"}));
}

}  // namespace
}  // namespace slussen
