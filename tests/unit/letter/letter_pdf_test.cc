// The letter as a PDF, read back with poppler-utils (pdftotext, pdfinfo): the recipient's address,
// the patient's name with åäö, the reason and the ids are real text; every event kind renders; the
// minimum dataset only; bad input is an error and leaves no file.
#include "adapters/letter/letter_pdf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "adapters/letter/letter_content.h"
#include "unit/letter/letter_fixtures.h"
#include "testing/files.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"

namespace slussen::adapters::letter {
namespace {

using slussen::testing::FileHead;
using slussen::testing::PdfInfo;
using slussen::testing::PdfPages;
using slussen::testing::PdfText;
using slussen::testing::TempDir;
using test::Context;
using test::Event;
using ::testing::HasSubstr;
using ::testing::Not;

// pdftotext breaks lines where the layout does; compare with the whitespace folded.
std::string Fold(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\f';
    if (space && !out.empty() && out.back() == ' ') continue;
    out += space ? ' ' : ch;
  }
  return out;
}

TEST(LetterPdf, InskrivningsmeddelandeShowsAddressPatientReasonAndIds) {
  TempDir dir{"slussen-letter-pdf"};
  const std::string path = dir.File("letter.pdf");
  const auto event = Event(EventKind::kInskrivningsmeddelande);
  ASSERT_TRUE(WriteLetterPdf(path, event, Context()).ok());
  EXPECT_EQ(FileHead(path, 5), "%PDF-");

  const std::string text = Fold(PdfText(path));
  EXPECT_THAT(text, HasSubstr("Halmstads kommun, Biståndsenheten Söder"));
  EXPECT_THAT(text, HasSubstr("Box 153"));
  EXPECT_THAT(text, HasSubstr("Östra vägen 7"));
  EXPECT_THAT(text, HasSubstr("301 05 Halmstad"));
  EXPECT_THAT(text, HasSubstr("Fax +46 35 13 80 00"));
  EXPECT_THAT(text, HasSubstr("Hallands sjukhus Halmstad, Avdelning 14"));
  EXPECT_THAT(text, HasSubstr("Åsa Öberg-Lärka"));
  EXPECT_THAT(text, HasSubstr("20250824-2381"));
  EXPECT_THAT(text, HasSubstr("Storgatan 1, 302 50 Halmstad"));
  EXPECT_THAT(text, HasSubstr(test::kReason));
  EXPECT_THAT(text, HasSubstr(test::kEventId));
  EXPECT_THAT(text, HasSubstr("SE2321000115-SH01/VT-2025:000123"));
  EXPECT_THAT(text, HasSubstr("Inskrivningsmeddelande"));
  EXPECT_THAT(text, HasSubstr("2 kap. 1–3 §§ lag (2017:612)"));
  EXPECT_THAT(text, HasSubstr("Datum 2026-03-30"));
  EXPECT_THAT(text, HasSubstr("Varför ni får detta som brev"));

  // The metadata says what the letter is, and nothing about the patient.
  const std::string info = PdfInfo(path);
  EXPECT_THAT(info, HasSubstr("Title:           Inskrivningsmeddelande"));
  EXPECT_THAT(info, HasSubstr(std::string("Slussen brev ") + test::kEventId + " till kommun-1380"));
  EXPECT_THAT(info, HasSubstr("slussen-letter"));
  EXPECT_THAT(info, Not(HasSubstr("Öberg")));
  EXPECT_THAT(info, Not(HasSubstr("2381")));
}

TEST(LetterPdf, OtherKindsCarryNoAddressNorRoutingData) {
  TempDir dir{"slussen-letter-pdf"};
  const std::string path = dir.File("letter.pdf");
  ASSERT_TRUE(WriteLetterPdf(path, Event(EventKind::kUtskrivningsklar), Context()).ok());
  const std::string text = Fold(PdfText(path));
  EXPECT_THAT(text, HasSubstr("Meddelande om utskrivningsklar patient"));
  EXPECT_THAT(text, HasSubstr("20250824-2381"));
  EXPECT_THAT(text, HasSubstr("SE2321000115-LAK7"));
  // Not in this event, or in the envelope only for routing.
  EXPECT_THAT(text, Not(HasSubstr("Storgatan")));
  EXPECT_THAT(text, Not(HasSubstr(slussen::testing::kTestVardcentral)));
  EXPECT_THAT(text, Not(HasSubstr("Kommunkod")));
}

TEST(LetterPdf, ProtectedIdentityIsMarkedAndItsAddressLeftOut) {
  TempDir dir{"slussen-letter-pdf"};
  const std::string path = dir.File("letter.pdf");
  auto event = Event(EventKind::kInskrivningsmeddelande);
  event.mutable_patient()->mutable_identity()->set_protected_identity(true);
  ASSERT_TRUE(WriteLetterPdf(path, event, Context()).ok());
  const std::string text = Fold(PdfText(path));
  EXPECT_THAT(text, HasSubstr("Skyddad identitet"));
  EXPECT_THAT(text, Not(HasSubstr("Storgatan")));
}

TEST(LetterPdf, MarkupCharactersInTheReasonPrintAsWritten) {
  TempDir dir{"slussen-letter-pdf"};
  const std::string path = dir.File("letter.pdf");
  LetterContext c = Context();
  c.reason = "operator <ops> re-routed: R&D \"test\"";
  ASSERT_TRUE(WriteLetterPdf(path, Event(EventKind::kKallelseSip), c).ok());
  EXPECT_THAT(Fold(PdfText(path)), HasSubstr("operator <ops> re-routed: R&D \"test\""));
}

TEST(LetterPdf, SameInputGivesTheSameBytes) {
  TempDir dir{"slussen-letter-pdf"};
  const auto event = Event(EventKind::kUtskrivningsmeddelande);
  ASSERT_TRUE(WriteLetterPdf(dir.File("a.pdf"), event, Context()).ok());
  ASSERT_TRUE(WriteLetterPdf(dir.File("b.pdf"), event, Context()).ok());
  EXPECT_EQ(slussen::testing::ReadFile(dir.File("a.pdf")),
            slussen::testing::ReadFile(dir.File("b.pdf")));
  EXPECT_THAT(PdfInfo(dir.File("a.pdf")), HasSubstr("2026"));  // the creation time passed in
}

TEST(LetterPdf, BadInputIsAnErrorAndLeavesNoFile) {
  TempDir dir{"slussen-letter-pdf"};
  const std::string path = dir.File("letter.pdf");

  slussen::v1::Envelope no_kind = Event(EventKind::kUtskrivningsklar);
  no_kind.clear_utskrivningsklar();
  Status st = WriteLetterPdf(path, no_kind, Context());
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);

  LetterContext bad_id = Context();
  bad_id.to.id = "../kommun-1380";
  st = WriteLetterPdf(path, Event(EventKind::kUtskrivningsklar), bad_id);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);

  LetterContext no_address = Context();
  no_address.to.address_lines.clear();
  st = WriteLetterPdf(path, Event(EventKind::kUtskrivningsklar), no_address);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(st.error(), HasSubstr("kommun-1380"));

  st = WriteLetterPdf(path, Event(EventKind::kUtskrivningsklar, "not a uuid/../x"), Context());
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);

  EXPECT_FALSE(std::filesystem::exists(path));
  st = WriteLetterPdf(dir.File("no/such/dir/letter.pdf"), Event(EventKind::kUtskrivningsklar),
                      Context());
  EXPECT_FALSE(st.ok());
}

TEST(LetterContent, TimesAreStockholmWallTime) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1774864800);  // 10:00Z, CEST
  EXPECT_EQ(LetterTime(ts), "2026-03-30 kl. 12:00");
  ts.set_seconds(1769767200);  // 2026-01-30T10:00Z, CET
  EXPECT_EQ(LetterTime(ts), "2026-01-30 kl. 11:00");
  EXPECT_EQ(LetterTime(google::protobuf::Timestamp()), "–");
}

// One letter per event kind: each renders, with its own heading, the event id and the reason.
class EveryKind : public ::testing::TestWithParam<EventKind> {};

TEST_P(EveryKind, Renders) {
  TempDir dir{"slussen-letter-kind"};
  const std::string path = dir.File("letter.pdf");
  const auto event = Event(GetParam());
  Result<LetterText> words = ComposeLetter(event);
  ASSERT_TRUE(words.ok()) << words.error();
  EXPECT_EQ(words->kind_name, EventKindName(GetParam()));
  EXPECT_FALSE(words->facts.empty());

  const Status st = WriteLetterPdf(path, event, Context());
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(PdfPages(path), 1);
  const std::string text = Fold(PdfText(path));
  EXPECT_THAT(text, HasSubstr(words->title));
  EXPECT_THAT(text, HasSubstr(test::kEventId));
  EXPECT_THAT(text, HasSubstr(test::kReason));
  EXPECT_THAT(text, HasSubstr("Box 153"));
  for (const auto& [label, value] : words->facts) {
    EXPECT_THAT(text, HasSubstr(value)) << label;
  }
  for (const auto& item : words->list) EXPECT_THAT(text, HasSubstr(item)) << words->list_heading;
}

INSTANTIATE_TEST_SUITE_P(LetterPdf, EveryKind, ::testing::ValuesIn(AllEventKinds()),
                         [](const ::testing::TestParamInfo<EventKind>& param) {
                           return std::string(EventKindName(param.param));
                         });

}  // namespace
}  // namespace slussen::adapters::letter
