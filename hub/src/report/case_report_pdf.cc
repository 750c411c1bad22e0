#include "report/case_report_pdf.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/kommuner.h"
#include "pdf/document.h"
#include "pdf/markup.h"
#include "report/case_report_pdf_notices.h"
#include "report/pdf_json_fields.h"

namespace slussen {
namespace {

using nlohmann::json;
using pdf::Align;
using pdf::Bold;
using pdf::Colour;
using pdf::Column;
using pdf::Document;
using pdf::Esc;
using pdf::Grey;
using pdf::kContentWidth;
using pdf::kSmallSize;
using pdf::Row;
using pdf::Small;
using pdf_json::Field;
using pdf_json::kDash;
using pdf_json::Str;
using pdf_json::Text;

// A table column that holds "2026-03-26T12:05:00+01:00" on one line at pdf::kTableSize.
constexpr double kTimeColumn = 124.0;

// ---- reading the report's JSON -----------------------------------------------------------------

const json& EmptyArray() {
  static const json empty = json::array();
  return empty;
}

const json& Array(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_array() ? v : EmptyArray();
}

// The text of a field; "" for null or missing.
// Escaped text of an array element (a string, or anything else as JSON).
std::string Plain(const json& v) { return Esc(v.is_string() ? v.get<std::string>() : v.dump()); }

// The liability's day conventions (discharge day, withdrawal day, partly paused day), one a line.
std::string Conventions(const json& liability) {
  std::string out;
  for (const auto& line : Array(liability, "day_conventions")) {
    if (!out.empty()) out += "\n";
    out += Plain(line);
  }
  return out;
}

int64_t Int(const json& j, const char* key) {
  const json& v = Field(j, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return std::llround(v.get<double>());
  return 0;
}

bool Bool(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_boolean() && v.get<bool>();
}

// 21000 -> "21 000 kr"
std::string Kr(int64_t amount) {
  const uint64_t magnitude =
      amount < 0 ? 0 - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
  const std::string digits = std::to_string(magnitude);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return (amount < 0 ? "-" : "") + out + " kr";
}

std::string Days(int64_t n) { return std::to_string(n) + (n == 1 ? " dag (day)" : " dagar (days)"); }

struct Translation {
  std::string_view key;
  std::string_view text;
};

std::string Translate(std::initializer_list<Translation> table, const std::string& key) {
  for (const auto& t : table) {
    if (t.key == key) return std::string(t.text);
  }
  return key.empty() ? kDash : Esc(key);
}

std::string StatusText(const std::string& s) {
  return Translate({{"open", "öppet (open)"},
                    {"admitted", "inskriven (admitted)"},
                    {"planning", "planering pågår (planning)"},
                    {"utskrivningsklar", "utskrivningsklar"},
                    {"withdrawn", "utskrivningsklar återtagen (withdrawn)"},
                    {"discharged", "utskriven (discharged)"},
                    {"cancelled", "makulerat (cancelled)"}},
                   s);
}

std::string KindText(const std::string& kind) {
  return Translate({{"Inskrivningsmeddelande", "Inskrivningsmeddelande"},
                    {"EstimatedDischargeChanged", "Ändrat beräknat utskrivningsdatum"},
                    {"Planeringsunderlag", "Planeringsunderlag, begäran"},
                    {"PlaneringsunderlagSvar", "Planeringsunderlag, svar"},
                    {"Utskrivningsklar", "Utskrivningsklar"},
                    {"UtskrivningsklarWithdrawn", "Utskrivningsklar återtagen"},
                    {"KallelseSip", "Kallelse till SIP"},
                    {"Utskrivningsmeddelande", "Utskrivningsmeddelande"},
                    {"Receipt", "Kvittens"},
                    {"Cancellation", "Makulering"},
                    {"ClockStopper", "Klockstopp (5 kap. 5 §)"}},
                   kind);
}

std::string DeadlineStateText(const std::string& s) {
  if (s == "met") return Colour(pdf::kGreen, "uppfylld (met)");
  if (s == "missed") return Colour(pdf::kRed, Bold("missad (missed)"));
  if (s == "at-risk") return Colour(pdf::kAmber, Bold("i riskzonen (at risk)"));
  if (s == "pending") return "väntar (pending)";
  return s.empty() ? kDash : Esc(s);
}

std::string PreconditionStateText(const std::string& s) {
  if (s == "met") return Colour(pdf::kGreen, "uppfylld (met)");
  if (s == "failed") return Colour(pdf::kRed, Bold("ej uppfylld (failed)"));
  if (s == "not-yet-known") return Colour(pdf::kAmber, "ännu okänd (not yet known)");
  return s.empty() ? kDash : Esc(s);
}

std::string EndedByText(const std::string& s) {
  if (s.empty()) return "pågår (still running)";
  return Translate({{"discharged", "utskriven (discharged)"}, {"withdrawn", "återtagen (withdrawn)"}}, s);
}

std::string KommunText(const std::string& kod) {
  if (kod.empty()) return kDash;
  const KommunEntry* k = FindKommunEntry(kod);
  return k ? Esc(kod) + " " + Esc(k->name) : Esc(kod);
}


// ---- the report --------------------------------------------------------------------------------

std::string DeadlineSummary(const json& report) {
  int met = 0, missed = 0, at_risk = 0, pending = 0;
  for (const auto& d : Array(report, "deadlines")) {
    const std::string s = Str(d, "state");
    if (s == "met") ++met;
    else if (s == "missed") ++missed;
    else if (s == "at-risk") ++at_risk;
    else ++pending;
  }
  std::string out = Bold("Tidsfrister (deadlines):") + " " + std::to_string(met) + " uppfyllda (met), ";
  out += (missed > 0 ? Colour(pdf::kRed, Bold(std::to_string(missed) + " missade (missed)"))
                     : std::string("0 missade (missed)"));
  out += ", " + std::to_string(at_risk) + " i riskzonen (at risk), " + std::to_string(pending) +
         " väntar (pending)";
  return out;
}

std::string LiabilitySummary(const json& liability) {
  std::string out = Bold("Betalningsansvar (payment liability):") + " ";
  const json& totals = Field(liability, "totals");
  if (Bool(liability, "liable")) {
    out += "ja (yes), " + Days(Int(totals, "days")) + ", " + Bold(Kr(Int(totals, "amount_kr")));
    const json& periods = Array(liability, "periods");
    if (!periods.empty()) out += ", från (from) " + Text(periods[0], "first_billable_day");
  } else {
    out += "nej (no)";
    for (const auto& p : Array(liability, "preconditions")) {
      if (Str(p, "state") == "failed") {
        out += " — ej uppfylld (failed): " + Text(p, "what") + " [" + Text(p, "rule") + "]";
        break;
      }
    }
  }
  if (Bool(liability, "provisional")) out += " " + Colour(pdf::kAmber, "— preliminärt (provisional)");
  return out;
}

void RenderHeader(Document& r, const json& report) {
  r.Title("Slussen — underlag för betalningsansvar",
          "Evidence report: events, deadlines and payment liability under lag (2017:612) om "
          "samverkan vid utskrivning från sluten hälso- och sjukvård");
  const json& agreement = Field(report, "agreement");
  std::string agreement_text = Bold(Text(agreement, "id"));
  if (!Str(agreement, "name").empty()) agreement_text += ": " + Esc(Str(agreement, "name"));
  if (!Str(agreement, "source").empty()) {
    agreement_text += "\n" + Grey(Small("fil (file): " + Esc(Str(agreement, "source"))));
  }
  if (!Str(agreement, "source_note").empty()) {
    agreement_text += "\n" + Grey(Small("källa (source): " + Esc(Str(agreement, "source_note"))));
  }
  const json& readings = Field(agreement, "readings");
  if (readings.is_object() && !readings.empty()) {
    std::string text;
    for (const auto& [key, value] : readings.items()) {
      text += (text.empty() ? "" : ", ") + Esc(key) + " = " + Esc(value.is_string() ? value.get<std::string>() : value.dump());
    }
    agreement_text += "\n" + Grey(Small("tolkning (reading): " + text));
  }
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Vårdtillfälle (case id)", Bold(Text(report, "case_id"))},
      {"Status", StatusText(Str(report, "status"))},
      {"Kommun (municipality)", KommunText(Str(report, "kommunkod"))}};
  // 5 kap. 2 §: a kommun that placed the patient in a särskild boendeform here pays.
  if (!Str(report, "placing_kommunkod").empty()) {
    rows.push_back({"Placerande kommun (placing kommun, 5 kap. 2 §)",
                    KommunText(Str(report, "placing_kommunkod"))});
  }
  rows.push_back({"Betalande kommun (paying kommun)",
                  Bold(KommunText(Str(report, "paying_kommunkod"))) + "\n" +
                      Grey(Small(Text(Field(report, "liability"), "paying_basis")))});
  if (Bool(report, "sarskilt_boende")) rows.push_back({"Särskilt boende (SÄBO)", "ja (yes)"});
  if (!Str(report, "track").empty()) {
    rows.push_back({"Spår (planning track)", Bold(Text(report, "track")) + " spår  " +
                                                 Grey(Small("(" + Text(report, "track_event_id") + ")"))});
  }
  rows.push_back({"Överenskommelse (agreement)", agreement_text});
  rows.push_back({"Upprättad (generated at)", Text(report, "generated_at")});
  r.KeyValues(rows, 150);
  r.Space(4);
  std::vector<std::string> summary{LiabilitySummary(Field(report, "liability")),
                                   DeadlineSummary(report)};
  if (Bool(Field(report, "liability"), "unconfirmed_amounts")) {
    summary.insert(summary.begin(),
                   Colour(pdf::kRed, Bold("Obs: belopp som inte är fastställda")) +
                       " — några dagar debiteras med ett belopp som överenskommelsen inte anger "
                       "som fastställt (markerade nedan). (Some days are billed at an amount the "
                       "agreement does not confirm; marked below.)");
  }
  r.Box(summary);
  r.Paragraph(Grey("Tider anges i svensk lokal tid (Europe/Stockholm) med UTC-förskjutning; "
                   "datum är lokala datum. Underlaget innehåller inga personuppgifter. "
                   "(Times are Europe/Stockholm local time with the UTC offset; the report holds no "
                   "personal data.)"),
              kSmallSize + 0.4);
}

void RenderEvents(Document& r, const json& report) {
  r.Heading("1  Händelsekedja (chain of events)");
  r.Paragraph(Grey("Inträffade: när händelsen skedde enligt avsändaren. Lagrad: när Slussen tog emot "
                   "och lagrade meddelandet, vilket räknas som skickat. Per mottagare: när "
                   "meddelandet levererades och när mottagarens kvittens kom. (Occurred, stored = "
                   "sent, delivered and receipt per destination.)"),
              kSmallSize + 0.4, 0, 5);
  const std::vector<Column> columns = {{"Inträffade (occurred)", kTimeColumn, Align::kLeft, true},
                                       {"Lagrad (stored)", kTimeColumn, Align::kLeft, true},
                                       {"Händelse (event): typ och id (kind and id)",
                                        kContentWidth - 2 * kTimeColumn}};
  std::vector<Row> rows;
  for (const auto& e : Array(report, "events")) {
    Row row;
    const std::string kind = Str(e, "kind");
    std::string kind_text = Bold(KindText(kind));
    if (!kind.empty() && KindText(kind) != Esc(kind)) kind_text += "  " + Grey(Small(Esc(kind)));
    kind_text += "\n" + Grey("id " + Text(e, "event_id"));
    row.cells = {Text(e, "occurred_at"), Text(e, "stored_at"), kind_text};
    std::vector<std::string> detail;
    if (!Str(e, "replaces").empty()) detail.push_back("rättar (corrects) " + Esc(Str(e, "replaces")));
    if (!Str(e, "superseded_by").empty()) {
      detail.push_back(Colour(pdf::kAmber, "ersatt av (superseded by) " + Esc(Str(e, "superseded_by"))));
    }
    if (!Str(e, "cancelled_by").empty()) {
      detail.push_back(Colour(pdf::kRed, "makulerad av (cancelled by) " + Esc(Str(e, "cancelled_by"))));
    }
    for (const auto& d : Array(e, "destinations")) {
      std::string line = "→ " + Bold(Text(d, "destination")) + "   levererad (delivered) " +
                         Text(d, "delivered_at");
      const json& receipt = Field(d, "receipt");
      if (receipt.is_object()) {
        line += "   kvittens (receipt) " + Text(receipt, "received_at");
        if (!Str(receipt, "claimed_received_at").empty()) {
          line += " " + Colour(pdf::kAmber, "(angiven (claimed) " +
                                                Text(receipt, "claimed_received_at") +
                                                ", före lagring (before it was stored))");
        }
        const std::string ack = Str(receipt, "external_ack_id");
        if (!ack.empty()) line += ", ack " + Esc(ack);
        line += ", lagrad (stored) " + Text(receipt, "stored_at");
      } else {
        line += "   " + Colour(pdf::kAmber, "ingen kvittens (no receipt)");
      }
      detail.push_back(line);
      if (!Str(d, "added_because").empty()) {
        detail.push_back("    skickad hit eftersom (sent here because) " + Esc(Str(d, "added_because")));
      }
      if (Field(d, "failed_attempts").is_number() && Field(d, "failed_attempts").get<int>() > 0) {
        detail.push_back("    " + std::to_string(Field(d, "failed_attempts").get<int>()) +
                         " misslyckade försök (failed attempts); senast (last): " +
                         Esc(Str(d, "last_error")));
      }
      for (const auto& a : Array(d, "operator_actions")) {
        detail.push_back("    " + Text(a, "at") + " " + Esc(Str(a, "action")) + " av (by) " +
                         Esc(Str(a, "operator")) + ": " + Esc(Str(a, "reason")));
      }
      if (!Str(d, "dead_at").empty()) {
        detail.push_back("    " + Colour(pdf::kRed, "ej levererbar (dead) sedan " + Text(d, "dead_at")));
      }
      if (!Str(d, "receipt_overdue_at").empty()) {
        std::string missing = "    kvittens saknades (receipt missing) " + Text(d, "receipt_overdue_at");
        if (!Str(d, "fallback_to").empty()) {
          missing += "; reserv (fallback): " + Esc(Str(d, "fallback_to"));
        }
        detail.push_back(Colour(pdf::kAmber, missing));
      }
    }
    for (std::size_t i = 0; i < detail.size(); ++i) row.detail += (i ? "\n" : "") + detail[i];
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    r.Paragraph("Inga händelser (no events).");
    return;
  }
  r.Table(columns, rows);
}

void RenderDeadlines(Document& r, const json& report) {
  r.Heading("2  Tidsfrister (deadlines)");
  const std::vector<Column> columns = {{"Frist och regel (deadline and rule)",
                                        kContentWidth - 2 * kTimeColumn - 80},
                                       {"Senast (due)", kTimeColumn, Align::kLeft, true},
                                       {"Utfall (state)", 80},
                                       {"Uppfylld (met at)", kTimeColumn, Align::kLeft, true}};
  std::vector<Row> rows;
  for (const auto& d : Array(report, "deadlines")) {
    Row row;
    std::string what = Bold(Text(d, "what")) + "\n" + Text(d, "rule");
    if (!Str(d, "id").empty()) what += "\n" + Grey(Small(Esc(Str(d, "id"))));
    row.cells = {what, Text(d, "due"), DeadlineStateText(Str(d, "state")), Text(d, "met_at")};
    if (!Str(d, "note").empty()) row.detail = "Anm. (note): " + Esc(Str(d, "note"));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    r.Paragraph("Inga tidsfrister (no deadlines).");
    return;
  }
  r.Table(columns, rows);
}

void RenderLiability(Document& r, const json& report) {
  const json& l = Field(report, "liability");
  r.Heading("3  Betalningsansvar (payment liability)");
  const std::string model = Str(l, "model");
  std::string liable = Bool(l, "liable") ? Bold("ja (yes)") : Bold("nej (no)");
  if (Bool(l, "provisional")) liable += " " + Colour(pdf::kAmber, "— preliminärt (provisional)");
  r.KeyValues({{"Modell (model)", Translate({{"individual", "individuell (individual)"},
                                             {"average", "genomsnittsmodell (average)"}},
                                            model)},
               {"Regel (rule)", Text(l, "rule")},
               {"Dagkonventioner (day conventions)", Conventions(l)},
               {"Meddelandetid (notice time)", Text(l, "notice_rule")},
               {"Betalningsansvar (liable)", liable}},
              150);

  r.SubHeading("Förutsättningar, 5 kap. 3 § (preconditions)");
  std::vector<Row> pre;
  for (const auto& p : Array(l, "preconditions")) {
    pre.push_back(Row{{Bold(Text(p, "what")) + "\n" + Text(p, "rule"),
                       PreconditionStateText(Str(p, "state")), Text(p, "detail")},
                      "",
                      false});
  }
  if (pre.empty()) {
    r.Paragraph("Inga förutsättningar prövade (none evaluated).");
  } else {
    r.Table({{"Förutsättning (precondition)", 220},
             {"Utfall (state)", 100},
             {"Underlag (detail)", kContentWidth - 320}},
            pre);
  }

  int n = 0;
  for (const auto& p : Array(l, "periods")) {
    ++n;
    r.SubHeading("Period " + std::to_string(n) + ": utskrivningsklar " + Text(p, "notice_event_id"));
    const bool psychiatric = Str(p, "care_type") == "psychiatric";
    r.KeyValues(
        {{"Meddelandet skickat (notice sent)",
          Text(p, "sent_at") + (Bool(p, "after_cutoff") ? "  — efter kl. 12.00 (after the cut-off)"
                                                        : "  — före kl. 12.00 (before the cut-off)")},
         {"Vårdform (care type)", psychiatric ? "psykiatrisk (psychiatric)" : "somatisk (somatic)"},
         {"Fria dagar (free days)", std::to_string(Int(p, "free_days"))},
         {"Första betalningsdag (first billable day)", Bold(Text(p, "first_billable_day"))},
         {"Avslutad (ended)", EndedByText(Str(p, "ended_by")) +
                                  (Str(p, "ended_at").empty() ? "" : " " + Text(p, "ended_at"))}},
        175);
    if (p.contains("notice_given")) {
      const json& g = p["notice_given"];
      r.Paragraph(Colour(pdf::kRed, "Ej debiterad (not billed): ") + Text(g, "rule") + " — " +
                  Text(g, "detail"));
    }
    if (p.contains("kallelse")) {
      const json& k = p["kallelse"];
      r.Paragraph(Bold("Kallelse till SIP för perioden (kallelse for this period, " +
                       Text(k, "rule") + "):") +
                  " " + Text(k, "state") +
                  (Str(k, "detail").empty() ? "" : " — " + Text(k, "detail")));
    }
    std::vector<Row> days;
    const json& billed = Array(p, "billed_days");
    for (const auto& d : billed) {
      const bool confirmed = Bool(d, "amount_confirmed");
      days.push_back(Row{{Text(d, "date") +
                              (confirmed ? "" : "  " + Colour(pdf::kRed, "ej fastställt belopp (unconfirmed amount, " +
                                                                 std::to_string(Int(d, "amount_year")) + ")")),
                          Kr(Int(d, "amount_kr"))},
                         "",
                         false});
    }
    if (billed.empty()) days.push_back(Row{{Grey("inga (none)"), ""}, "", false});
    const auto billed_count = static_cast<int64_t>(billed.size());
    days.push_back(Row{{"Summa perioden (period total): " + Days(billed_count), Kr(Int(p, "amount_kr"))},
                       "",
                       true});
    r.Table({{"Debiterad dag (billed day)", kContentWidth - 130},
             {"Belopp (amount)", 130, Align::kRight}},
            days);
    const json& paused = Array(p, "paused_days");
    if (!paused.empty()) {
      std::string list;
      for (const auto& d : paused) list += (list.empty() ? "" : ", ") + Plain(d);
      r.Paragraph(Bold("Klockstopp, 5 kap. 5 § (paused days):") + " " + list);
    }
  }
  if (n == 0) r.Paragraph("Inga perioder (no liability periods).");

  const json& totals = Field(l, "totals");
  r.Box({Bold("Summa betalningsansvar (total liability): " + Days(Int(totals, "days")) + ", " +
              Kr(Int(totals, "amount_kr")))});
  std::vector<std::string> notes;
  for (const auto& note : Array(l, "notes")) notes.push_back(Plain(note));
  if (!notes.empty()) {
    r.SubHeading("Anmärkningar (notes on liability)");
    r.Bullets(notes);
  }
}

void RenderNotes(Document& r, const json& report) {
  r.Heading("4  Anteckningar (notes)");
  std::vector<std::string> notes;
  for (const auto& note : Array(report, "notes")) notes.push_back(Plain(note));
  if (notes.empty()) {
    r.Paragraph("Inga anteckningar (none).");
  } else {
    r.Bullets(notes);
  }
}

void Render(Document& r, const json& report) {
  RenderHeader(r, report);
  RenderEvents(r, report);
  RenderDeadlines(r, report);
  RenderLiability(r, report);
  RenderNoticeTimes(r, Field(report, "notice_times"));
  RenderNotes(r, report);
}

}  // namespace

Status WriteCaseReportPdf(const nlohmann::json& report, const std::string& path) {
  if (!report.is_object()) return Error{"case report PDF: the report is not a JSON object"};
  const std::string case_id = Text(report, "case_id");
  const std::string header = "Vårdtillfälle (case) " + case_id;
  pdf::DocumentInfo info;
  info.title = "Slussen — underlag för betalningsansvar " + Str(report, "case_id");
  info.subject = "Evidence report for payment liability (lag 2017:612)";
  info.creator = "Slussen " SLUSSEN_VERSION;
  info.created = Str(report, "generated_at");
  info.running_header = "Slussen — underlag för betalningsansvar (evidence report) · " + header;
  info.footer = header + " · upprättad " + Text(report, "generated_at");
  info.page_label = [](int page, int pages) {
    const std::string n = std::to_string(page);
    const std::string m = std::to_string(pages);
    return "Sida " + n + " av " + m + " (page " + n + " of " + m + ")";
  };
  const Status st = pdf::WritePdf(path, info, [&report](Document& d) { Render(d, report); });
  if (!st.ok()) return Error{"case report: " + st.error()};
  return OkStatus();
}

}  // namespace slussen
