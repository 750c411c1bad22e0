#include "config/agreement_loader.h"

#include <libxml/tree.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xml/xml_validation.h"

namespace slussen {
namespace {

constexpr char kNamespace[] = "urn:slussen:agreement:1";

using xml::Attr;
using xml::AttrOr;
using xml::Diagnostics;
using xml::Tokens;

// Every element of a valid agreement is in kNamespace.
std::vector<const xmlNode*> Children(const xmlNode* parent, const char* name) {
  return xml::Children(parent, kNamespace, name);
}
const xmlNode* Child(const xmlNode* parent, const char* name) {
  return xml::Child(parent, kNamespace, name);
}

// A whole-number attribute within [min, max]; `fallback` when absent or wrong (then reported).
// The schema has the same bounds; checking again keeps a drifted schema from reaching billing.
int64_t IntAttr(const xmlNode* n, const char* name, int64_t fallback, int64_t min, int64_t max,
                Diagnostics& diag) {
  if (!Attr(n, name)) return fallback;
  constexpr uint64_t kNotANumber = UINT64_MAX;
  const uint64_t v = xml::NumberAttr(n, name, kNotANumber, diag);
  if (v == kNotANumber) return fallback;  // already reported
  if (v < static_cast<uint64_t>(min) || v > static_cast<uint64_t>(max)) {
    diag.Add(n, std::string("attribute '") + name + "': " + std::to_string(v) +
                    " is outside the allowed range " + std::to_string(min) + " to " +
                    std::to_string(max));
    return fallback;
  }
  return static_cast<int64_t>(v);
}

std::optional<std::chrono::hours> HoursAttr(const xmlNode* n, const char* name,
                                            Diagnostics& diag) {
  if (!Attr(n, name)) return std::nullopt;
  return std::chrono::hours(IntAttr(n, name, 0, 1, 8760, diag));
}

DayCounting CountingAttr(const xmlNode* n, const char* name, DayCounting fallback,
                         Diagnostics& diag) {
  const auto v = Attr(n, name);
  if (!v) return fallback;
  const auto t = Tokens(*v);
  if (t.size() == 1 && t[0] == "calendar") return DayCounting::kCalendarDays;
  if (t.size() == 1 && t[0] == "working") return DayCounting::kWorkingDays;
  diag.Add(n, std::string("attribute '") + name + "': '" + *v +
                  "' is neither \"calendar\" nor \"working\"");
  return fallback;
}

void ReadDeadlines(const xmlNode* root, Agreement& a, Diagnostics& diag) {
  const xmlNode* d = Child(root, "deadlines");
  if (auto h = HoursAttr(d, "inskrivning-hours", diag)) a.inskrivning_deadline = *h;
  a.sip_kallelse_days =
      static_cast<int>(IntAttr(d, "sip-kallelse-days", a.sip_kallelse_days, 0, 60, diag));
  a.sip_kallelse_counting =
      CountingAttr(d, "sip-kallelse-counting", a.sip_kallelse_counting, diag);
  if (AttrOr(d, "sip-kallelse-reading", "end-of-day") == "elapsed-hours") {
    a.sip_kallelse_reading = Agreement::SipKallelseReading::kElapsedHours;
    if (a.sip_kallelse_counting == DayCounting::kWorkingDays) {
      diag.Add(d, "sip-kallelse-reading=\"elapsed-hours\" counts hours, not working days: use "
                  "sip-kallelse-counting=\"calendar\" with it");
    }
  }
  a.planeringsunderlag_answer_deadline = HoursAttr(d, "planeringsunderlag-answer-hours", diag);
  if (AttrOr(d, "planeringsunderlag-answer-from", "request") == "inskrivningsmeddelande") {
    a.planeringsunderlag_from = Agreement::PlaneringsunderlagFrom::kInskrivningsmeddelande;
  }
  if (AttrOr(d, "planeringsunderlag-answered-by", "any") == "each-addressed") {
    a.planeringsunderlag_answered_by = Agreement::PlaneringsunderlagAnsweredBy::kEachAddressed;
  }
  a.estimate_change_threshold = HoursAttr(d, "estimate-change-threshold-hours", diag);
  if (AttrOr(d, "estimate-change-counting", "calendar") == "elapsed") {
    a.estimate_change_counting = Agreement::EstimateChangeCounting::kElapsedHours;
  } else if (a.estimate_change_threshold && a.estimate_change_threshold->count() % 24 != 0) {
    diag.Add(d, "estimate-change-counting=\"calendar\" compares dates: "
                "estimate-change-threshold-hours must be whole days (a multiple of 24)");
  }
  if (auto h = HoursAttr(d, "at-risk-horizon-hours", diag)) a.at_risk_horizon = *h;
}

void ReadAmounts(const xmlNode* liability, Agreement& a, Diagnostics& diag) {
  std::map<int, long> first_line;  // year -> line of its first <amount>, for the message
  for (const xmlNode* n : Children(Child(liability, "amounts"), "amount")) {
    const auto year = static_cast<int>(IntAttr(n, "year", 0, 1000, 9999, diag));
    const int64_t kr = IntAttr(n, "kr-per-day", 0, 1, UINT32_MAX, diag);
    if (year == 0 || kr == 0) continue;  // already reported
    auto [it, fresh] = first_line.emplace(year, xmlGetLineNo(n));
    if (!fresh) {
      diag.Add(n, "amount for year " + std::to_string(year) + " is already given on line " +
                      std::to_string(it->second));
      continue;
    }
    a.amount_per_day_kr[year] = kr;
    Agreement::AmountProvenance provenance{xml::BoolAttr(n, "confirmed"), AttrOr(n, "source")};
    if (provenance.confirmed && provenance.source.empty()) {
      diag.Add(n, "amount for year " + std::to_string(year) +
                      " is marked confirmed without a source: name where it comes from "
                      "(source=\"...\")");
    }
    a.amount_provenance[year] = std::move(provenance);
  }
  if (first_line.empty() && diag.empty()) {
    diag.Add(liability, "<liability> needs at least one <amount year=\"...\" kr-per-day=\"...\"/>");
  }
}

// The average block exists exactly when the model is average: XSD 1.0 cannot tie an element's
// presence to an attribute value, and a silently ignored block would mislead whoever reads it.
void ReadAverage(const xmlNode* liability, Agreement& a, Diagnostics& diag) {
  const xmlNode* avg = Child(liability, "average");
  if (a.model != LiabilityModel::kAverage) {
    if (avg != nullptr) {
      diag.Add(avg, "<average> is only allowed with <liability model=\"average\">; this "
                    "agreement's model is individual (line " +
                        std::to_string(xmlGetLineNo(liability)) + ")");
    }
    return;
  }
  if (avg == nullptr) {
    diag.Add(liability,
             "model=\"average\" needs an <average threshold-days=\"...\"/> element (after "
             "<amounts>)");
    return;
  }
  const std::string raw = AttrOr(avg, "threshold-days");
  const auto threshold = xml::ParseDecimal(raw);
  if (!threshold || *threshold <= 0 || *threshold > 60) {
    diag.Add(avg, "attribute 'threshold-days': '" + raw +
                      "' is not a decimal number greater than 0 and at most 60");
    return;
  }
  a.average_threshold_days = *threshold;
  if (const auto psychiatric_raw = Attr(avg, "psychiatric-threshold-days")) {
    const auto psychiatric = xml::ParseDecimal(*psychiatric_raw);
    if (!psychiatric || *psychiatric <= 0 || *psychiatric > 60) {
      diag.Add(avg, "attribute 'psychiatric-threshold-days': '" + *psychiatric_raw +
                        "' is not a decimal number greater than 0 and at most 60");
    } else {
      a.average_threshold_days_psychiatric = *psychiatric;
    }
  }
  if (Attr(avg, "individual-after-days")) {
    const auto days = static_cast<int>(IntAttr(avg, "individual-after-days", 0, 1, 365, diag));
    if (days == 0) return;  // already reported
    // Otherwise every patient above the average would be billed individually and the average
    // model would never apply.
    if (days <= *threshold) {
      diag.Add(avg, "individual-after-days (" + std::to_string(days) +
                        ") must be greater than threshold-days (" + Tokens(raw).front() + ")");
      return;
    }
    a.individual_after_days = days;
  }
}

void ReadLiability(const xmlNode* root, Agreement& a, Diagnostics& diag) {
  const xmlNode* liability = Child(root, "liability");
  const auto model = Tokens(AttrOr(liability, "model"));
  if (model.size() == 1 && model[0] == "individual") {
    a.model = LiabilityModel::kIndividual;
  } else if (model.size() == 1 && model[0] == "average") {
    a.model = LiabilityModel::kAverage;
  } else {
    diag.Add(liability, "attribute 'model': '" + AttrOr(liability, "model") +
                            "' is neither \"individual\" nor \"average\"");
  }

  const xmlNode* free_days = Child(liability, "free-days");
  a.free_days_somatic =
      static_cast<int>(IntAttr(free_days, "somatic", a.free_days_somatic, 0, 60, diag));
  a.free_days_psychiatric =
      static_cast<int>(IntAttr(free_days, "psychiatric", a.free_days_psychiatric, 0, 60, diag));
  a.day_counting = CountingAttr(free_days, "counting", a.day_counting, diag);

  // Absent <cutoff>: the notice's time of day does not matter.
  a.cutoff_local_time.reset();
  if (const xmlNode* cutoff = Child(liability, "cutoff")) {
    const std::string raw = AttrOr(cutoff, "local-time");
    if (auto t = xml::ParseLocalTime(raw)) {
      a.cutoff_local_time = *t;
    } else {
      diag.Add(cutoff, "cut-off local-time '" + raw +
                           "' is not a time of day (HH:MM, from 00:00 to 23:59)");
    }
    a.extra_days_after_cutoff = static_cast<int>(
        IntAttr(cutoff, "extra-days", a.extra_days_after_cutoff, 1, 7, diag));
  }

  if (const xmlNode* day0 = Child(liability, "day0-counted")) {
    a.day0_counted = xml::ParseBool(xml::Text(day0));
    // Day 0 is a notion of the average; with the individual model the flag would do nothing.
    if (a.day0_counted && a.model != LiabilityModel::kAverage) {
      diag.Add(day0, "<day0-counted> true applies only to the average model; this agreement's "
                     "model is individual");
    }
  }

  if (const xmlNode* conventions = Child(liability, "day-conventions")) {
    // The schema allows only "billed" and "not-billed".
    auto billed = [conventions](const char* name) {
      return Tokens(AttrOr(conventions, name, "not-billed")) == std::vector<std::string>{"billed"};
    };
    a.bill_discharge_day = billed("discharge-day");
    a.bill_withdrawal_day = billed("withdrawal-day");
    a.partly_paused_day = billed("partly-paused-day") ? Agreement::PartlyPausedDay::kBilled
                                                      : Agreement::PartlyPausedDay::kNotBilled;
  }

  ReadAmounts(liability, a, diag);
  ReadAverage(liability, a, diag);
}

// Issue 15 items 4-5; the schema lists the values, so anything else has been refused already.
void ReadNoticeTimes(const xmlNode* root, Agreement& a, Diagnostics& diag) {
  const xmlNode* n = Child(root, "notice-times");
  if (n == nullptr) return;
  auto token = [&](const char* name) {
    const auto t = Tokens(AttrOr(n, name, "stored"));
    return t.size() == 1 ? t[0] : std::string("stored");
  };
  if (token("sent") == "source") a.sent_time = Agreement::SentTime::kSource;
  const std::string notified = token("notified");
  if (notified == "delivered") a.notified_when = Agreement::NotifiedWhen::kDelivered;
  if (notified == "receipted") a.notified_when = Agreement::NotifiedWhen::kReceipted;
  a.source_time_skew = std::chrono::minutes(
      IntAttr(n, "source-skew-minutes", a.source_time_skew.count(), 0, 1440, diag));
}

void ReadCalendar(const xmlNode* root, Agreement& a) {
  if (const xmlNode* cal = Child(root, "calendar")) {
    if (auto v = Attr(cal, "eves-are-holidays")) a.eves_are_holidays = xml::ParseBool(*v);
  }
}

void ReadPlanningTracks(const xmlNode* root, Agreement& a) {
  const xmlNode* tracks = Child(root, "planning-tracks");
  a.planning_tracks = tracks != nullptr;
  if (tracks && AttrOr(tracks, "red-track-change", "deviation") == "refuse") {
    a.red_track_change = Agreement::RedTrackChange::kRefuse;
  }
}

// Free text with its line breaks and indentation collapsed to single spaces.
std::string Collapse(const std::string& text) {
  std::string out;
  for (const auto& t : Tokens(text)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace

Result<Agreement> LoadAgreement(const std::string& path) {
  Diagnostics diag(path);
  const xml::DocPtr doc = xml::LoadValidatedXml(
      path,
      {.what = "agreement",
       .ns = kNamespace,
       .root = "agreement",
       .xsd = EmbeddedAgreementXsd(),
       .schema_name = "agreement.xsd (built in)"},
      diag);
  if (doc == nullptr) return diag.ToError();

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  Agreement a;
  a.source_path = path;
  a.id = Collapse(AttrOr(root, "id"));
  a.name = Collapse(AttrOr(root, "name"));
  a.source_note = Collapse(xml::Text(Child(root, "source")));
  ReadDeadlines(root, a, diag);
  ReadLiability(root, a, diag);
  ReadNoticeTimes(root, a, diag);
  ReadCalendar(root, a);
  ReadPlanningTracks(root, a);
  if (!diag.empty()) return diag.ToError();
  return a;
}

}  // namespace slussen
