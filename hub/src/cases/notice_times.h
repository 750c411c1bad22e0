#pragma once
// Which time a notice of 5 kap. 3 § counts from, under the agreement (Agreement::sent_time,
// Agreement::notified_when; issue 15 items 4 and 5). BuildCase keeps every time of every notice
// (CaseState::notice_times); this chooses among them. Pure.
//
// EvaluateDeadlines and ComputeLiability see the case through CountedCase(): the case with every
// notice's "sent" time replaced by the time it counts from. Under the default (stored, stored)
// that is the case itself, unchanged and uncopied.
#include <optional>
#include <string>
#include <string_view>

#include "cases/agreement.h"
#include "cases/case_state.h"

namespace slussen {

// The time `t` counts from; nullopt while it has not been given (notified_when delivered or
// receipted, and not yet delivered or receipted).
std::optional<TimePoint> CountedTime(const NoticeTimes& t, const Agreement& a);

// Which of the times that is, for people: "stored", "source", "stored (no source time)",
// "delivered", "receipted", or "not yet delivered" / "not yet receipted".
std::string AppliedTimeName(const NoticeTimes& t, const Agreement& a);

// Why the source time and the stored time of `t` need a look, for the report; "" if they do
// not: they differ by more than the agreement's skew, or they fall on different local days or on
// different sides of the cut-off (5 kap. 4 §: 12.00), so the choice between them moves a count.
std::string SourceTimeDivergence(const NoticeTimes& t, const Agreement& a);

// The notice times of event `event_id`, or nullptr.
const NoticeTimes* FindNoticeTimes(const CaseState& c, std::string_view event_id);

// `c` as the agreement counts its notices: the inskrivningsmeddelande's, each utskrivningsklar
// notice's and each kallelse's sent time replaced by CountedTime (a notice not yet given: no
// inskrivning_sent_at, NoticePeriod::given false, the kallelse left out). Returns `c` itself
// when the agreement counts notices as stored; otherwise the copy made in `storage`.
const CaseState& CountedCase(const CaseState& c, const Agreement& a,
                             std::optional<CaseState>& storage);

// The rule for people, with its paragraphs, e.g. "a notice counts when the kommun's system
// accepted its delivery (5 kap. 3 § "underrättat"; agreement notice-times notified=delivered)".
std::string NoticeRuleText(const Agreement& a);

}  // namespace slussen
