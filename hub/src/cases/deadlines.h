#pragma once
// The deadlines of one case: which apply, when each falls due, whether it was met, and the rule
// (law paragraph or regional routine) that set it. Pure; `now` decides pending vs missed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/agreement.h"
#include "cases/case_state.h"

namespace slussen {

enum class DeadlineState {
  kPending,  // not yet met, not yet due, not within the at-risk horizon
  kAtRisk,   // not yet met and due within the agreement's at-risk horizon
  kMet,
  kMissed,   // met late, or due and still not met
};
std::string_view DeadlineStateName(DeadlineState state);

struct Deadline {
  std::string id;    // stable: "inskrivningsmeddelande", "kallelse-sip", "informationsoverforing",
                     // "planeringsunderlag-svar:<request event id>", "andrat-utskrivningsdatum"
  std::string rule;  // e.g. "2 kap. 3 § lag (2017:612)"
  std::string what;  // one line for people
  std::optional<TimePoint> due;  // unknown until the event that sets it has arrived
  DeadlineState state = DeadlineState::kPending;
  std::optional<TimePoint> met_at;  // when the fulfilling message was stored (if it was)
  std::string note;
};

std::vector<Deadline> EvaluateDeadlines(const CaseState& c, const Agreement& agreement, TimePoint now);

// 4 kap. 3 §: when the kallelse to SIP is due for one utskrivningsklar notice. A renewed notice
// (after a withdrawal) restarts the count, as it restarts the liability count of 5 kap. 4 §: the
// notice in force decides both.
TimePoint KallelseSipDue(const NoticePeriod& notice, const Agreement& agreement);
// The first kallelse to SIP the case has, if any (a kallelse already sent serves every later
// notice: the SIP has been called).
std::optional<TimePoint> FirstKallelseSip(const CaseState& c);

// The deadline with this id, or nullptr.
const Deadline* FindDeadline(const std::vector<Deadline>& deadlines, std::string_view id);

}  // namespace slussen
