// The pdf library's layout engine (pdf/document.h) on its own: documents built block by block,
// written to a file and read back with poppler-utils (pdfinfo, pdftotext).
#include "pdf/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "pdf/markup.h"
#include "testing/pdf_tools.h"
#include "testing/temp_dir.h"

namespace slussen::pdf {
namespace {

namespace fs = std::filesystem;
using slussen::testing::FileHead;
using slussen::testing::PdfInfo;
using slussen::testing::PdfPages;
using slussen::testing::PdfText;
using slussen::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<Row> NumberedRows(int n) {
  std::vector<Row> rows;
  for (int i = 1; i <= n; ++i) {
    Row row;
    row.cells = {"rad-" + std::to_string(i), Esc("Åsa & Örjan <" + std::to_string(i) + ">")};
    if (i % 10 == 0) row.detail = "detalj-" + std::to_string(i);
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(PdfDocument, TableOverTwoPagesRepeatsItsHeaderAndKeepsEveryRow) {
  DocumentInfo info;
  info.title = "Provdokument åäö";
  info.creator = "slussen_pdf test";
  info.created = "2026-04-01T10:35:00.250+02:00";
  info.running_header = "Löpande sidhuvud";
  info.footer = "Sidfot vänster";
  const std::vector<Column> columns = {{"Nummer", 120}, {"Namn", kContentWidth - 120}};
  const std::vector<Row> rows = NumberedRows(80);
  std::vector<int> pages_seen;

  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("table.pdf");
  const Status st = WritePdf(path, info, [&](Document& d) {
    d.Title("Rubrik med åäö", "Underrubrik");
    d.Heading("1  Tabell");
    d.Paragraph("Inledande <b>stycke</b>.");
    d.Table(columns, rows);
    d.Paragraph("Efter tabellen.");
    pages_seen.push_back(d.page());
  });
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(FileHead(path, 5), "%PDF-");

  const int pages = PdfPages(path);
  ASSERT_EQ(pages, 2) << "80 table rows fill more than one page and less than two";
  // Both passes (count, draw) laid the content out alike.
  EXPECT_THAT(pages_seen, ::testing::ElementsAre(pages, pages));

  const std::string info_text = PdfInfo(path);
  EXPECT_THAT(info_text, HasSubstr("Provdokument åäö"));
  EXPECT_THAT(info_text, HasSubstr("slussen_pdf test"));

  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("Rubrik med åäö"));
  EXPECT_THAT(text, HasSubstr("Efter tabellen."));
  for (const Row& row : rows) EXPECT_THAT(text, HasSubstr(row.cells[0] + "\n")) << row.cells[0];
  EXPECT_THAT(text, HasSubstr("Åsa & Örjan <80>"));  // escaped, printed as written
  EXPECT_THAT(text, HasSubstr("detalj-80"));

  const std::string first = PdfText(path, 1, 1);
  const std::string second = PdfText(path, 2, 2);
  EXPECT_THAT(first, HasSubstr("Sida 1 av 2"));
  EXPECT_THAT(second, HasSubstr("Sida 2 av 2"));
  EXPECT_THAT(first, HasSubstr("Sidfot vänster"));
  EXPECT_THAT(second, HasSubstr("Sidfot vänster"));
  EXPECT_THAT(first, Not(HasSubstr("Löpande sidhuvud")));
  EXPECT_THAT(second, HasSubstr("Löpande sidhuvud"));
  // The header row again on the second page, above the rows that continue there.
  EXPECT_THAT(second, HasSubstr("Nummer"));
  EXPECT_THAT(second, HasSubstr("rad-80"));
  EXPECT_THAT(second, Not(HasSubstr("rad-1\n")));
}

TEST(PdfDocument, PageBreaksAndThePageLabel) {
  DocumentInfo info;
  info.page_label = [](int page, int pages) {
    return "blad " + std::to_string(page) + "/" + std::to_string(pages);
  };
  std::vector<int> pages_seen;
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("breaks.pdf");
  const Status st = WritePdf(path, info, [&](Document& d) {
    for (int i = 1; i <= 3; ++i) {
      pages_seen.push_back(d.page());
      d.Heading("Avsnitt " + std::to_string(i));
      d.KeyValues({{"Nyckel", "värde " + std::to_string(i)}}, 100);
      d.Box({"Ruta " + std::to_string(i)});
      d.Bullets({"punkt a", "punkt b"});
      if (i < 3) d.PageBreak();
    }
  });
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(PdfPages(path), 3);
  EXPECT_THAT(pages_seen, ::testing::ElementsAre(1, 2, 3, 1, 2, 3));
  for (int i = 1; i <= 3; ++i) {
    const std::string page = PdfText(path, i, i);
    EXPECT_THAT(page, HasSubstr("Avsnitt " + std::to_string(i)));
    EXPECT_THAT(page, HasSubstr("värde " + std::to_string(i)));
    EXPECT_THAT(page, HasSubstr("Ruta " + std::to_string(i)));
    EXPECT_THAT(page, HasSubstr("blad " + std::to_string(i) + "/3"));
  }
}

TEST(PdfDocument, LongParagraphFlowsOntoNewPagesLineByLine) {
  std::string markup;
  for (int i = 1; i <= 200; ++i) markup += "rad" + std::to_string(i) + (i < 200 ? "\n" : "");
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("flow.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [&](Document& d) { d.Paragraph(markup); });
  ASSERT_TRUE(st.ok()) << st.error();
  const int pages = PdfPages(path);
  EXPECT_GE(pages, 3);
  const std::string text = PdfText(path);
  for (int i = 1; i <= 200; ++i) EXPECT_THAT(text, HasSubstr("rad" + std::to_string(i) + "\n"));
  EXPECT_THAT(PdfText(path, pages, pages), HasSubstr("rad200"));
}

TEST(PdfDocument, ARowTallerThanAPageEndsInsteadOfBreakingPagesForEver) {
  std::string tall;
  for (int i = 0; i < 150; ++i) tall += "cell-line-" + std::to_string(i) + "\n";
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("tall.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [&](Document& d) {
    d.Paragraph("före");
    d.Table({{"A", 100}, {"B", kContentWidth - 100}}, {Row{{"a", tall}, "", false}});
    d.Paragraph("efter");
  });
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_GE(PdfPages(path), 2);
  EXPECT_THAT(PdfText(path), HasSubstr("efter"));
}

TEST(PdfDocument, AFittingColumnKeepsALongTimeOnOneLine) {
  const std::string time = "2022-05-05T12:30:00.123456+02:00";
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("fit.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [&](Document& d) {
    d.Table({{"Tid", 124, Align::kLeft, true}, {"Rest", kContentWidth - 124}},
            {Row{{time, "x"}, "", false}});
  });
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_THAT(PdfText(path), HasSubstr(time));
}

TEST(PdfDocument, InvalidMarkupIsAnErrorThatQuotesNoTextAndLeavesNoFile) {
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("bad.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [](Document& d) {
    d.Paragraph("fine");
    d.Paragraph("Anna <Testsson> & co");  // not escaped
  });
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr(path));
  EXPECT_THAT(st.error(), HasSubstr("invalid markup"));
  EXPECT_THAT(st.error(), Not(HasSubstr("Testsson")));
  EXPECT_FALSE(fs::exists(path));

  const Status ampersand = WritePdf(path, DocumentInfo{}, [](Document& d) {
    d.Table({{"Namn", kContentWidth}}, {Row{{"Åsa & Örjan"}, "", false}});
  });
  ASSERT_FALSE(ampersand.ok());
  EXPECT_THAT(ampersand.error(), HasSubstr("invalid markup"));
  EXPECT_THAT(ampersand.error(), Not(HasSubstr("Örjan")));
  EXPECT_FALSE(fs::exists(path));
}

TEST(PdfDocument, EscapedTextShowsAsWrittenEvenWithInvalidUtf8) {
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("esc.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [](Document& d) {
    d.Paragraph(Esc("a < b & \"c\" 'd'"));
    d.Paragraph(Esc(std::string("före\xff" "efter")));
    d.Paragraph(Esc(""));
  });
  ASSERT_TRUE(st.ok()) << st.error();
  const std::string text = PdfText(path);
  EXPECT_THAT(text, HasSubstr("a < b & \"c\" 'd'"));
  EXPECT_THAT(text, HasSubstr("före"));
  EXPECT_THAT(text, HasSubstr("efter"));
}

TEST(PdfDocument, ContentThatThrowsIsAnErrorAndLeavesNoFile) {
  TempDir dir{"slussen-pdf-doc"};
  const std::string path = dir.File("throws.pdf");
  const Status st = WritePdf(path, DocumentInfo{}, [](Document& d) {
    d.Paragraph("början");
    throw std::runtime_error("content gave up");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr("content gave up"));
  EXPECT_FALSE(fs::exists(path));
}

TEST(PdfDocument, UnwritablePathsAreErrorsNamingThePath) {
  TempDir dir{"slussen-pdf-doc"};
  const auto content = [](Document& d) { d.Paragraph("text"); };
  const std::string missing = dir.File("no-such-dir/x.pdf");
  const Status st = WritePdf(missing, DocumentInfo{}, content);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error(), HasSubstr(missing));
  EXPECT_THAT(st.error(), HasSubstr("No such file or directory"));
  if (fs::exists("/dev/full")) {
    const Status full = WritePdf("/dev/full", DocumentInfo{}, content);
    ASSERT_FALSE(full.ok());
    EXPECT_THAT(full.error(), HasSubstr("/dev/full"));
    EXPECT_TRUE(fs::exists("/dev/full"));
  }
}

}  // namespace
}  // namespace slussen::pdf
