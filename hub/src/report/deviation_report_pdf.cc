#include "report/deviation_report_pdf.h"

#include <string>
#include <string_view>
#include <vector>

#include "pdf/document.h"
#include "pdf/markup.h"
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

// The strings of an array field, space-separated and escaped; a dash if there are none.
std::string List(const json& j, const char* key, const char* separator = " ") {
  std::string out;
  const json& v = Field(j, key);
  if (v.is_array()) {
    for (const auto& item : v) {
      out += (out.empty() ? "" : separator) +
             Esc(item.is_string() ? item.get<std::string>() : item.dump());
    }
  }
  return out.empty() ? kDash : out;
}

struct Category {
  std::string_view id;
  std::string_view title;
  std::string_view what;
};

const std::vector<Category>& Categories() {
  static const std::vector<Category> all = {
      {"deadline-missed", "Missade tidsfrister (deadlines missed)",
       "Frister enligt lag (2017:612) och regional rutin som inte hölls, daterade efter när de "
       "löpte ut; per den part som hade att hålla dem. (Deadlines not met, dated by their due "
       "time, per the party whose duty it was.)"},
      {"estimate-change-not-notified",
       "Ändrat utskrivningsdatum ej meddelat i tid (estimate "
       "change not notified in time)",
       "Utskriven mer än överenskommelsens tröskel från det senast meddelade beräknade datumet, "
       "daterad efter utskrivningen. (Discharged further from the last notified estimate than the "
       "agreement allows, dated by the discharge.)"},
      {"dead-letter", "Ej levererbara meddelanden (dead letters)",
       "Leveranser vars försök tog slut, daterade när de gav upp; per mottagare. (Deliveries "
       "whose retries ended, per receiving side.)"},
      {"fallback", "Reservväg: brev eller fax (fallback to letter or fax)",
       "Händelser som gick reservvägen för att IT-vägen inte fungerade. (Events sent by the "
       "fallback because the IT path failed.)"},
      {"receipt-late", "Sena kvittenser (late receipts)",
       "Kvittenser som kom efter att Slussen funnit dem försenade. (Receipts that came after "
       "the hub found them overdue.)"},
      {"receipt-missing", "Saknade kvittenser (missing receipts)",
       "Kvittenser som var försenade och ännu inte har kommit. (Overdue receipts still not "
       "received.)"},
      {"rejected", "Avvisade meddelanden (rejected messages)",
       "Meddelanden som Slussen avvisade som felaktiga, per avsändare och det fält felet gällde. "
       "(Messages the hub rejected as invalid, per claimed sender and the field the reason "
       "named.)"},
  };
  return all;
}

std::string OrganisationText(const json& g) {
  const json& o = Field(g, "organisation");
  const std::string kind = Str(o, "kind");
  std::string label = kind == "kommun"   ? "kommun"
                      : kind == "region" ? "region, enhet (unit)"
                      : kind == "sender" ? "avsändare (sender)"
                                         : "system";
  std::string out = Bold(Text(o, "id"));
  if (!Str(o, "name").empty()) out += " " + Esc(Str(o, "name"));
  return out + "\n" + Grey(Small(label));
}

void Render(Document& d, const json& report) {
  const bool with_ids = Field(report, "case_ids_included").is_boolean() &&
                        Field(report, "case_ids_included").get<bool>();
  d.Title("Slussen — avvikelserapport " + Text(report, "month"),
          "Deviation report: deadlines missed, dead letters, fallbacks and receipts, per "
          "organisation and month");
  d.KeyValues({{"Månad (month)", Bold(Text(report, "month"))},
               {"Period", Text(report, "from") + " – " + Text(report, "to")},
               {"Upprättad (generated at)", Text(report, "generated_at")}},
              150);
  std::vector<std::string> totals;
  for (const auto& c : Categories()) {
    const json& n = Field(Field(report, "totals"), std::string(c.id).c_str());
    const std::string count = n.is_number() ? n.dump() : "0";
    totals.push_back(Esc(std::string(c.title)) + ": " +
                     (count == "0" ? count : Colour(pdf::kRed, Bold(count))));
  }
  d.Box(totals);
  d.Paragraph(Grey("Återkommande (recurring): " + Text(report, "recurring_rule") +
                   (with_ids ? ""
                             : ". Fall-id visas bara för operatörer (case ids only for "
                               "operators).")),
              kSmallSize + 0.4, 0, 5);

  const json& groups = Field(report, "deviations");
  int section = 0;
  for (const auto& c : Categories()) {
    std::vector<Row> rows;
    if (groups.is_array()) {
      for (const auto& g : groups) {
        if (Str(g, "category") != c.id) continue;
        Row row;
        std::string rule = Str(g, "rule").empty() ? std::string(kDash) : Bold(Text(g, "rule"));
        if (!Str(g, "rule_text").empty()) rule += "\n" + Grey(Small(Text(g, "rule_text")));
        if (!Str(g, "fallback_to").empty()) rule = "→ " + Bold(Text(g, "fallback_to"));
        const bool recurring =
            Field(g, "recurring").is_boolean() && Field(g, "recurring").get<bool>();
        std::string rec = recurring ? Colour(pdf::kRed, Bold("ja (yes)")) : std::string("nej (no)");
        if (Field(g, "also_in").is_array() && !Field(g, "also_in").empty()) {
          rec += "\n" + Grey(Small("även (also) " + List(g, "also_in", ", ")));
        }
        row.cells = {OrganisationText(g), rule, Text(g, "count"), Text(g, "cases"), rec};
        row.detail = "Motpart (counterparts): " + List(g, "counterparts", ", ");
        if (with_ids) row.detail += "\nFall (cases): " + List(g, "case_ids", ", ");
        rows.push_back(std::move(row));
      }
    }
    if (rows.empty()) continue;
    d.Heading(std::to_string(++section) + "  " + Esc(std::string(c.title)));
    d.Paragraph(Grey(Esc(std::string(c.what))), kSmallSize + 0.4, 0, 4);
    d.Table({{"Organisation", 150},
             {"Frist eller reserv (deadline or fallback)", kContentWidth - 150 - 55 - 45 - 90},
             {"Antal (count)", 55, Align::kRight},
             {"Fall (cases)", 45, Align::kRight},
             {"Återkommande (recurring)", 90}},
            rows);
  }
  if (section == 0) d.Paragraph("Inga avvikelser denna månad (no deviations this month).");
}

}  // namespace

Status WriteDeviationReportPdf(const nlohmann::json& report, const std::string& path) {
  if (!report.is_object()) return Error{"deviation report PDF: the report is not a JSON object"};
  const std::string month = Str(report, "month");
  pdf::DocumentInfo info;
  info.title = "Slussen — avvikelserapport " + month;
  info.subject = "Deviation report (avvikelser), lag 2017:612";
  info.creator = "Slussen " SLUSSEN_VERSION;
  info.created = Str(report, "generated_at");
  info.running_header = "Slussen — avvikelserapport (deviation report) · " + Esc(month);
  info.footer = "Avvikelser " + Esc(month) + " · upprättad " + Text(report, "generated_at");
  info.page_label = [](int page, int pages) {
    const std::string n = std::to_string(page);
    const std::string m = std::to_string(pages);
    return "Sida " + n + " av " + m + " (page " + n + " of " + m + ")";
  };
  const Status st = pdf::WritePdf(path, info, [&report](Document& d) { Render(d, report); });
  if (!st.ok()) return Error{"deviation report: " + st.error()};
  return OkStatus();
}

}  // namespace slussen
