#include "cases/notice_times.h"

#include "common/swedish_calendar.h"

namespace slussen {

std::optional<TimePoint> CountedTime(const NoticeTimes& t, const Agreement& a) {
  switch (a.notified_when) {
    case Agreement::NotifiedWhen::kDelivered: return t.delivered_at;
    case Agreement::NotifiedWhen::kReceipted: return t.receipted_at;
    case Agreement::NotifiedWhen::kStored: break;
  }
  if (a.sent_time == Agreement::SentTime::kSource && t.source_sent_at) return t.source_sent_at;
  return t.stored_at;
}

std::string AppliedTimeName(const NoticeTimes& t, const Agreement& a) {
  switch (a.notified_when) {
    case Agreement::NotifiedWhen::kDelivered:
      return t.delivered_at ? "delivered" : "not yet delivered";
    case Agreement::NotifiedWhen::kReceipted:
      return t.receipted_at ? "receipted" : "not yet receipted";
    case Agreement::NotifiedWhen::kStored: break;
  }
  if (a.sent_time == Agreement::SentTime::kSource) {
    return t.source_sent_at ? "source" : "stored (no source time)";
  }
  return "stored";
}

std::string SourceTimeDivergence(const NoticeTimes& t, const Agreement& a) {
  if (!t.source_sent_at) return "";
  const TimePoint source = *t.source_sent_at;
  const auto diff = source > t.stored_at ? source - t.stored_at : t.stored_at - source;
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(diff).count();
  const std::string by = "the source time is " + std::to_string(minutes) + " min " +
                         (source > t.stored_at ? "after" : "before") + " the stored time";
  const calendar::Date source_day = calendar::StockholmDate(source);
  const calendar::Date stored_day = calendar::StockholmDate(t.stored_at);
  if (source_day != stored_day) return by + ", on another day: the choice moves every count";
  if (a.cutoff_local_time && t.kind == "Utskrivningsklar") {
    const TimePoint cutoff = calendar::FromStockholm(stored_day, *a.cutoff_local_time);
    if ((source > cutoff) != (t.stored_at > cutoff)) {
      return by + ", on the other side of the cut-off (5 kap. 4 §): the choice moves the first "
                  "billable day";
    }
  }
  if (diff > a.source_time_skew) {
    return by + " (more than the agreement's " + std::to_string(a.source_time_skew.count()) +
           " min)";
  }
  return "";
}

const NoticeTimes* FindNoticeTimes(const CaseState& c, std::string_view event_id) {
  for (const auto& t : c.notice_times) {
    if (t.event_id == event_id) return &t;
  }
  return nullptr;
}

const CaseState& CountedCase(const CaseState& c, const Agreement& a,
                             std::optional<CaseState>& storage) {
  if (a.NoticesCountWhenStored()) return c;
  CaseState& out = storage.emplace(c);
  if (!out.inskrivning_event_id.empty()) {
    if (const NoticeTimes* t = FindNoticeTimes(c, out.inskrivning_event_id)) {
      out.inskrivning_sent_at = CountedTime(*t, a);
    }
  }
  for (auto& n : out.notices) {
    const NoticeTimes* t = FindNoticeTimes(c, n.event_id);
    if (!t) continue;
    const auto counted = CountedTime(*t, a);
    n.given = counted.has_value();
    if (counted) n.sent_at = *counted;
  }
  out.kallelse_sip_sent.clear();
  for (const auto& t : c.notice_times) {
    if (t.kind != "KallelseSip") continue;
    if (const auto counted = CountedTime(t, a)) out.kallelse_sip_sent.push_back(*counted);
  }
  return out;
}

std::string NoticeRuleText(const Agreement& a) {
  std::string sent = a.sent_time == Agreement::SentTime::kSource
                         ? "the source system's own send time (the hub's stored time where a "
                           "notice has none)"
                         : "the time the hub stored it";
  switch (a.notified_when) {
    case Agreement::NotifiedWhen::kDelivered:
      return "a notice counts when the kommun's system accepted its delivery (5 kap. 3 § "
             "\"underrättat\"; agreement notice-times notified=delivered)";
    case Agreement::NotifiedWhen::kReceipted:
      return "a notice counts when the kommun's system's receipt says it received it (5 kap. 3 § "
             "\"underrättat\"; agreement notice-times notified=receipted)";
    case Agreement::NotifiedWhen::kStored: break;
  }
  return "a notice counts when it was sent (5 kap. 4 § \"skickats\"), at " + sent +
         (a.sent_time == Agreement::SentTime::kSource ? " (agreement notice-times sent=source)"
                                                      : " (the default)");
}

}  // namespace slussen
