#pragma once
// The evidence report of one case (issue 4 item 5): the chain of events with occurred, stored,
// delivered and receipt times per destination; every deadline with its rule and outcome; the
// payment liability with its preconditions, days, dates, rule and amounts. As JSON (for tools and
// the PDF) and as a plain-text table (for people, e.g. `slussenctl simulate` without --json).
//
// Pure: everything comes from the arguments; `now` is the evaluation time and is printed as
// generated_at. Times are ISO 8601 with the Europe/Stockholm offset of the instant
// (FormatStockholmTime, time_format.h); dates are YYYY-MM-DD local dates. Absent values are JSON
// null. The report carries case and event ids, kommunkod and HSA/destination ids, never a
// personnummer, a name or an address: CaseState holds none, and nothing else is read.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/agreement.h"
#include "cases/case_state.h"
#include "cases/deadlines.h"
#include "cases/liability.h"

namespace slussen {

// One delivery of one event to one destination (from the store's outbox); delivered_at is empty
// while the destination has not accepted it.
struct DeliveryRecord {
  std::string event_id;
  std::string destination;
  std::optional<TimePoint> delivered_at;
  int attempts = 0;                             // failed attempts before (or without) delivery
  std::optional<TimePoint> dead_at;             // the retries ended
  std::string last_error;                       // why the last attempt failed / the retries ended
  std::optional<TimePoint> receipt_overdue_at;  // the Receipt was found missing
  std::string fallback_to;                      // the event then also went there
  std::string added_because;                    // this row is a fallback or re-route: why
  std::string manual_by;                        // delivered by other means, per this operator
  std::string manual_reason;
  struct Action {
    TimePoint at;
    std::string action;
    std::string operator_id;
    std::string reason;
  };
  std::vector<Action> operator_actions;  // on this delivery, oldest first

  // A row known only by when it was delivered (nullopt: not yet).
  static DeliveryRecord Delivered(std::string event_id, std::string destination,
                                  std::optional<TimePoint> at) {
    DeliveryRecord d;
    d.event_id = std::move(event_id);
    d.destination = std::move(destination);
    d.delivered_at = at;
    return d;
  }
};

// The readings of the agreement's regional rules that the sources leave open (agreement.h),
// as applied to this report: {"estimate_change_counting": "calendar", ...}; only those the
// agreement has.
nlohmann::json AgreementReadings(const Agreement& agreement);

nlohmann::json CaseReportJson(const CaseState& c, const std::vector<Deadline>& deadlines,
                              const LiabilityResult& liability, const Agreement& agreement,
                              const std::vector<DeliveryRecord>& deliveries, TimePoint now);

// The same content as readable plain text (UTF-8, columns aligned by code point), ending with a
// newline.
std::string CaseReportTable(const CaseState& c, const std::vector<Deadline>& deadlines,
                            const LiabilityResult& liability, const Agreement& agreement,
                            const std::vector<DeliveryRecord>& deliveries, TimePoint now);

}  // namespace slussen
