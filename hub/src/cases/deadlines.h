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
// Whether a kallelse to SIP is due at all: a SIP is expected by the assessment in force (4 kap.
// 1 § första stycket) and no samordnad vårdplan under LPT 7 a § / LRV 12 a § replaces it (andra
// stycket).
bool KallelseSipApplies(const CaseState& c);
// KallelseSipDue for this case: counted from the notice, or from the assessment that made the
// SIP expected when that came later (a need identified after the notice cannot have been called
// before; by analogy with 2 kap. 3 § for the inskrivningsmeddelande, an interpretation).
TimePoint KallelseSipDueFor(const CaseState& c, const NoticePeriod& notice, const Agreement& agreement);
// What the hub can check about who sent the kallelse (4 kap. 3 §: the patient's fast vårdkontakt
// in regionens öppna vård), one line per finding; empty when nothing is flagged. Checked: the
// sender is not slutenvården (the case's care unit or a sender of the hospital's messages); the
// named fast vårdkontakt is not slutenvården's; the sender is the öppen vård unit named by the
// inskrivningsmeddelande or a SipBedomning, when one is. Not checkable from the events: whether
// the named person is the patient's appointed fast vårdkontakt (the HSA catalogue knows roles,
// the hub does not). A flag does not fail the 5 kap. 3 § precondition: it is shown in the
// deadline's note and the report, for the parties to judge.
std::vector<std::string> KallelseSenderFlags(const CaseState& c);
// The first kallelse to SIP the case has, if any (a kallelse already sent serves every later
// notice: the SIP has been called).
std::optional<TimePoint> FirstKallelseSip(const CaseState& c);

// The deadline with this id, or nullptr.
const Deadline* FindDeadline(const std::vector<Deadline>& deadlines, std::string_view id);

}  // namespace slussen
