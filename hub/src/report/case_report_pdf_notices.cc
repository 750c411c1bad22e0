#include "report/case_report_pdf_notices.h"

#include <string>
#include <vector>

#include "pdf/markup.h"
#include "report/pdf_json_fields.h"

namespace slussen {

using pdf::Bold;
using pdf::Colour;
using pdf::Esc;
using pdf::Grey;
using pdf::Small;
using pdf_json::Field;
using pdf_json::Str;
using pdf_json::Text;

void RenderNoticeTimes(pdf::Document& r, const nlohmann::json& notice_times) {
  r.SubHeading("Meddelandetider, 5 kap. 3–4 §§ (notice times)");
  r.Paragraph(Bold("Regel (rule):") + " " + Text(notice_times, "rule"));
  const nlohmann::json& notices = Field(notice_times, "notices");
  std::vector<pdf::Row> rows;
  if (notices.is_array()) {
    for (const auto& n : notices) {
      pdf::Row row;
      row.cells = {Bold(Text(n, "kind")) + "\n" + Grey(Small(Esc(Str(n, "event_id")))),
                   Text(n, "stored_at") + "\n" + Grey("källa (source) ") + Text(n, "source_sent_at"),
                   Text(n, "delivered_at") + "\n" + Grey("kvittens (receipt) ") +
                       Text(n, "receipted_at"),
                   Bold(Text(n, "applied")) + "\n" + Text(n, "applied_at")};
      if (!Str(n, "divergence").empty()) {
        row.detail = Colour(pdf::kRed, "Avvikelse (divergence): ") + Esc(Str(n, "divergence"));
      }
      rows.push_back(std::move(row));
    }
  }
  if (rows.empty()) {
    r.Paragraph("Inga meddelanden (no notices).");
    return;
  }
  r.Table({{"Meddelande (notice)", 130},
           {"Lagrad (stored)", 125, pdf::Align::kLeft, true},
           {"Levererad till kommunen (delivered)", 125, pdf::Align::kLeft, true},
           {"Tillämpad (applied)", pdf::kContentWidth - 380, pdf::Align::kLeft, true}},
          rows);
}

}  // namespace slussen
