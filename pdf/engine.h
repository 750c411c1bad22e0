#pragma once
// Internal to slussen_pdf: the layout engine behind Document. It keeps the position on the page
// and breaks pages; it runs twice over the same content, first without drawing to count the
// pages (for "Sida N av M"), then drawing.
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pdf/document.h"

namespace slussen::pdf {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;

struct Rgb {
  double r, g, b;
};

class Document::Engine {
 public:
  // `total_pages` is what the counting pass found (0 while counting). `info` must outlive this.
  Engine(cairo_t* cr, PangoContext* context, bool draw, int total_pages, const DocumentInfo& info)
      : cr_(cr), context_(context), draw_(draw), total_pages_(total_pages), info_(info) {}

  // Draws the footer of the last page.
  void End() { Footer(); }
  int page() const { return page_; }
  // What was wrong with the first markup that did not parse (never its text); empty if all
  // parsed.
  const std::string& markup_error() const { return markup_error_; }

  void Title(const std::string& markup, const std::string& subtitle);
  void Heading(const std::string& markup);
  void SubHeading(const std::string& markup);
  void Paragraph(const std::string& markup, double size, double indent, double after);
  void Bullets(const std::vector<std::string>& items, double size);
  void KeyValues(const std::vector<std::pair<std::string, std::string>>& rows, double key_width,
                 double size);
  void Box(const std::vector<std::string>& lines);
  void Table(const std::vector<Column>& columns, const std::vector<Row>& rows, double size);
  void Space(double points);
  void NewPage();

 private:
  Layout Make(const std::string& markup, double size, double width, Align align = Align::kLeft);
  Layout MakeFitting(const std::string& markup, double size, double width, Align align);
  void SetColour(Rgb c);
  void Show(PangoLayout* l, double x, double y, Rgb colour);
  void Flow(PangoLayout* l, double x, Rgb colour);
  void Ensure(double height);
  double Top() const;
  void HorizontalRule(double width, Rgb colour);
  void TableHeader(const std::vector<Column>& columns, double size, double keep_with_first_row);
  void RunningHeader();
  void Footer();

  cairo_t* cr_;
  PangoContext* context_;
  bool draw_;
  int total_pages_;
  const DocumentInfo& info_;
  int page_ = 1;
  double y_ = kMarginTop;
  std::string markup_error_;
};

}  // namespace slussen::pdf
