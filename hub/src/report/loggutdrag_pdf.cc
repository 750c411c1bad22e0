#include "report/loggutdrag_pdf.h"

#include <vector>

#include "pdf/document.h"
#include "pdf/markup.h"
#include "report/pdf_json_fields.h"

namespace slussen {
namespace {

using nlohmann::json;
using pdf_json::Field;
using pdf_json::Str;
using pdf_json::Text;

constexpr double kWhenColumn = 110.0;
constexpr double kOrganisationColumn = 150.0;
constexpr double kActorColumn = 80.0;

std::string Written(const std::string& pnr) {
  return pnr.size() == 12 ? pnr.substr(0, 8) + "-" + pnr.substr(8) : pnr;
}

void Render(pdf::Document& d, const json& extract, const std::string& personnummer) {
  d.Title("Loggutdrag",
          "Vilka som har tagit del av dina uppgifter i Slussen (who has received or seen your "
          "data), enligt HSLF-FS 2016:40 4 kap. 9 a–10 §§");
  d.KeyValues({{"Personnummer", pdf::Bold(pdf::Esc(Written(personnummer)))},
               {"Framtaget (generated)", Text(extract, "generated_at")},
               {"Antal händelser (entries)", pdf::Esc(Str(extract, "count"))}},
              150);
  d.Paragraph("Varje rad är ett tillfälle då uppgifter om dig lämnades ut till en organisation "
              "eller lästes av en handläggare: när, vilken organisation och enhet, vem och "
              "vilka uppgifter. Uppgifterna kommer från Slussens granskningslogg, där varje rad "
              "är kedjad till raden före så att ingen rad kan ändras eller tas bort utan att det "
              "märks.");
  d.Heading("Utlämnanden och läsningar (disclosures and reads)");
  std::vector<pdf::Row> rows;
  const json& entries = Field(extract, "entries");
  if (entries.is_array()) {
    for (const auto& e : entries) {
      std::string what = Text(e, "what");
      if (!Str(e, "case_id").empty()) what += "\n" + pdf::Grey(pdf::Small("vårdtillfälle " + pdf::Esc(Str(e, "case_id"))));
      rows.push_back({{Text(e, "at"), Text(e, "organisation"), Text(e, "actor"),
                       pdf::Esc(Str(e, "action_text")) + "\n" + what},
                      "",
                      false});
    }
  }
  if (rows.empty()) {
    d.Paragraph("Inga utlämnanden eller läsningar finns i loggen (nothing in the log).");
    return;
  }
  d.Table({{"När (when)", kWhenColumn, pdf::Align::kLeft, true},
           {"Organisation och enhet", kOrganisationColumn},
           {"Vem (who)", kActorColumn},
           {"Vad (what)", pdf::kContentWidth - kWhenColumn - kOrganisationColumn - kActorColumn}},
          rows);
}

}  // namespace

Status WriteLoggutdragPdf(const json& extract, const std::string& personnummer,
                          const std::string& path) {
  if (!extract.is_object()) {
    return Error{"loggutdrag: the extract is not a JSON object", ErrorCode::kInvalidArgument};
  }
  pdf::DocumentInfo info;
  info.title = "Loggutdrag";
  info.subject = "Access-log extract";
  info.creator = "Slussen";
  info.footer = "Loggutdrag " + pdf::Esc(Written(personnummer));
  info.running_header = "Loggutdrag";
  return pdf::WritePdf(path, info,
                       [&](pdf::Document& d) { Render(d, extract, personnummer); });
}

}  // namespace slussen
