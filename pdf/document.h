#pragma once
// slussen_pdf: the layout engine for the hub's printable documents (the evidence report of a case
// today, the letter adapter's letters next). It lays blocks out from the top of an A4 page
// (page.h) to the bottom and starts a new page where the next block does not fit; pango shapes
// the text and cairo writes a PDF with embedded fonts, so that åäö are real glyphs and the text
// can be searched and copied.
//
//   pdf::DocumentInfo info;
//   info.title = "Kallelse";
//   info.footer = pdf::Esc(case_id);
//   Status st = pdf::WritePdf(path, info, [&](pdf::Document& d) {
//     d.Title("Kallelse till SIP", pdf::Esc(unit_name));
//     d.Paragraph("Välkommen …");
//     d.Table({{"Dag", 120}, {"Tid", pdf::kContentWidth - 120}}, rows);
//   });
//
// Every page gets a footer: a rule, `footer` on the left and the page label ("Sida 2 av 3") on
// the right; every page after the first a running header. Texts are Pango markup (markup.h).
//
// Thread safety: a Document lives only inside one WritePdf call; separate calls may run on
// separate threads.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "pdf/page.h"

namespace slussen::pdf {

enum class Align { kLeft, kRight };

struct Column {
  std::string title;  // markup, bold in a shaded header row
  double width;       // points
  Align align = Align::kLeft;
  // Shrink the type of a cell that does not fit on one line (down to 5 pt) rather than break it,
  // so that a time such as "2026-03-26T12:05:00.123456+01:00" stays one searchable string.
  bool fit = false;
};

struct Row {
  std::vector<std::string> cells;  // markup, one per column (missing ones are empty)
  std::string detail;              // markup in grey under the cells, full width; may be empty
  bool bold = false;
};

class Document;

// What a document says about itself, and what is repeated on its pages.
struct DocumentInfo {
  // PDF metadata (shown by viewers, pdfinfo). Plain text, not markup.
  std::string title;
  std::string subject;
  std::string creator;
  // ISO 8601 ("2026-04-01T10:35:00.250+02:00"); the fraction is dropped, as PDF dates have none.
  // Empty: the time of writing.
  std::string created;
  // Markup in small grey type above a rule at the top of every page after the first (shortened
  // in the middle if too long); empty for none.
  std::string running_header;
  // Markup in small grey type at the bottom left of every page (shortened in the middle).
  std::string footer;
  // Markup at the bottom right of every page, from the page number and the page count; if not
  // set, "Sida N av M".
  std::function<std::string(int page, int pages)> page_label;
};

// The blocks of a document, top to bottom. Only WritePdf makes one.
class Document {
 public:
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // The document title in large type, a subtitle in grey under it, and a rule.
  void Title(const std::string& markup, const std::string& subtitle);
  // A section heading with a rule under it, kept on one page with what follows it.
  void Heading(const std::string& markup);
  // A bold sub-heading, kept on one page with what follows it.
  void SubHeading(const std::string& markup);
  // A paragraph, wrapped at the content width less `indent`; it may continue on the next page
  // (line by line). `after`: space below it, in points.
  void Paragraph(const std::string& markup, double size = kBodySize, double indent = 0,
                 double after = 3.0);
  // One bulleted paragraph per item.
  void Bullets(const std::vector<std::string>& items, double size = kBodySize);
  // Label/value pairs in two columns without rules; labels in grey, `key_width` points wide.
  void KeyValues(const std::vector<std::pair<std::string, std::string>>& rows, double key_width,
                 double size = kBodySize);
  // A few lines in a shaded box with an accent bar (a summary). Never split across pages.
  void Box(const std::vector<std::string>& lines);
  // A table with a shaded header row that is repeated after every page break and striped rows.
  // A row (with its detail) is never split across pages.
  void Table(const std::vector<Column>& columns, const std::vector<Row>& rows,
             double size = kTableSize);
  // Vertical space in points (never past the bottom of the page).
  void Space(double points);
  // Continue on a new page.
  void PageBreak();
  // The page the next block starts on, from 1.
  int page() const;

 private:
  class Engine;  // engine.h: pango and cairo stay out of this header

  friend class RenderPass;  // document.cc: makes one Document per pass of WritePdf

  explicit Document(Engine& engine) : engine_(engine) {}
  Engine& engine_;
};

// Writes the document that `content` lays out to `path` (a file, or a device such as
// /dev/stdout). `content` is called twice, first to count the pages and then to draw them, and
// must add the same blocks both times. Errors: the path cannot be written (no partial file is
// left behind, but a device or pipe is never removed), invalid markup in any text, or an
// exception from `content`. The message names the path.
Status WritePdf(const std::string& path, const DocumentInfo& info,
                const std::function<void(Document&)>& content);

}  // namespace slussen::pdf
