#include "adapters/letter/letter_pdf.h"

#include <string>
#include <utility>
#include <vector>

#include "adapters/letter/letter_content.h"
#include "common/time_format.h"
#include "pdf/document.h"
#include "pdf/markup.h"

namespace slussen::adapters::letter {
namespace {

using pdf::Bold;
using pdf::Esc;
using pdf::Grey;
using pdf::Small;

constexpr double kLabelWidth = 190;

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + Esc(line);
  return out;
}

std::vector<std::pair<std::string, std::string>> Escaped(const Facts& facts) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [label, value] : facts) out.emplace_back(Grey(Esc(label)), Esc(value));
  return out;
}

std::string DateOnly(std::chrono::system_clock::time_point t) {
  return FormatStockholmTime(t).substr(0, 10);
}

Status CheckContext(const slussen::v1::Envelope& event, const LetterContext& c) {
  if (!IsSafeFileToken(event.event_id())) {
    return Error{"the event id is not a safe token", ErrorCode::kInvalidArgument};
  }
  if (!IsSafeFileToken(c.to.id)) {
    return Error{"recipient id is not a safe token ([A-Za-z0-9._-], 1-64)",
                 ErrorCode::kInvalidArgument};
  }
  if (c.to.unit_name.empty() || c.to.address_lines.empty()) {
    return Error{"recipient " + c.to.id + " has no unit name or postal address",
                 ErrorCode::kInvalidArgument};
  }
  return OkStatus();
}

void Addresses(pdf::Document& d, const LetterContext& c) {
  std::string from = Bold(Esc(c.from.name));
  if (!c.from.address_lines.empty()) from += "\n" + Lines(c.from.address_lines);
  if (!c.from.phone.empty()) from += "\nTelefon " + Esc(c.from.phone);
  d.Paragraph(from, pdf::kSmallSize + 1, 0, 18);

  std::string to = Bold(Esc(c.to.unit_name)) + "\n" + Lines(c.to.address_lines);
  if (!c.to.fax.empty()) to += "\nFax " + Esc(c.to.fax);
  if (!c.to.hsa_id.empty()) to += "\n" + Grey("HSA-id " + Esc(c.to.hsa_id));
  d.Paragraph(to, pdf::kBodySize + 1.5, 250, 18);
  d.Paragraph("Datum " + Esc(DateOnly(c.created)), pdf::kBodySize, 250, 14);
}

void Body(pdf::Document& d, const slussen::v1::Envelope& event, const LetterContext& c,
          const LetterText& t) {
  d.Title(Esc(t.title), t.legal_basis.empty() ? "" : Esc(t.legal_basis));
  std::string why =
      "Meddelandet har skickats elektroniskt, men det kunde inte bekräftas att det kommit fram. "
      "Därför skickas det nu som brev enligt reservrutinen.";
  std::vector<std::string> box = {Bold("Varför ni får detta som brev"), why};
  if (!c.reason.empty()) box.push_back("Orsak: " + Esc(c.reason));
  box.push_back("Har ni redan fått meddelandet elektroniskt är det samma händelse (samma "
                "händelse-id): registrera det bara en gång.");
  d.Box(box);
  for (const auto& p : t.paragraphs) d.Paragraph(Esc(p), pdf::kBodySize + 0.5, 0, 5);

  if (!t.patient.empty()) {
    d.Heading("Patient");
    if (t.protected_identity) {
      d.Paragraph(pdf::Colour(pdf::kRed, Bold("Skyddad identitet.")) +
                      " Uppgifterna får inte lämnas vidare; adressen skrivs inte ut.",
                  pdf::kBodySize, 0, 4);
    }
    d.KeyValues(Escaped(t.patient), kLabelWidth);
  }
  d.Heading("Uppgifter i meddelandet");
  d.KeyValues(Escaped(t.facts), kLabelWidth);
  if (!t.list.empty()) {
    d.SubHeading(Esc(t.list_heading));
    std::vector<std::string> items;
    for (const auto& item : t.list) items.push_back(Esc(item));
    d.Bullets(items);
  }

  d.Heading("För era handlingar");
  Facts refs = {
      {"Händelse-id", event.event_id()},
      {"Vårdtillfälle", event.case_id().care_unit_hsa_id() + "/" + event.case_id().episode_id()},
      {"Meddelandetyp", t.kind_name},
      {"Händelsen inträffade", LetterTime(event.occurred_at())},
      {"Avsändande enhet (HSA-id)", event.sender_hsa_id()},
      {"Mottagare", c.to.id},
  };
  d.KeyValues(Escaped(refs), kLabelWidth);
  d.Space(8);
  std::string contact = "Frågor om meddelandet besvaras av " + Esc(c.from.name);
  if (!c.from.phone.empty()) contact += ", telefon " + Esc(c.from.phone);
  d.Paragraph(contact + ".");
  d.Paragraph(Grey(Small("Brevet innehåller uppgifter som kan omfattas av sekretess. Det är "
                         "skapat automatiskt av Slussen och är giltigt utan underskrift.")),
              pdf::kSmallSize + 0.4);
}

}  // namespace

Status WriteLetterPdf(const std::string& path, const slussen::v1::Envelope& event,
                      const LetterContext& context) {
  if (Status st = CheckContext(event, context); !st.ok()) return st;
  Result<LetterText> text = ComposeLetter(event);
  if (!text.ok()) return text.as_error();
  const LetterText& t = *text;

  pdf::DocumentInfo info;
  info.title = t.title;
  info.subject = "Slussen brev " + event.event_id() + " till " + context.to.id;
  info.creator = std::string("slussen-letter ") + SLUSSEN_VERSION;
  info.created = FormatStockholmTime(context.created);
  info.running_header = Esc(t.title + " – händelse " + event.event_id());
  info.footer = Esc("Händelse " + event.event_id() + " · " + context.to.id);
  return pdf::WritePdf(path, info, [&](pdf::Document& d) {
    Addresses(d, context);
    Body(d, event, context, t);
  });
}

bool IsSafeFileToken(const std::string& id) {
  if (id.empty() || id.size() > 64 || id[0] == '.') return false;
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace slussen::adapters::letter
