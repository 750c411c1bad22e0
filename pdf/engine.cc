#include "pdf/engine.h"

#include <algorithm>
#include <cmath>

#include "pdf/markup.h"

namespace slussen::pdf {
namespace {

constexpr Rgb kBlack{0.0, 0.0, 0.0};
constexpr Rgb kGreyText{0.38, 0.38, 0.38};
constexpr Rgb kRuleGrey{0.75, 0.77, 0.80};
constexpr Rgb kHeaderFill{0.89, 0.92, 0.95};
constexpr Rgb kStripeFill{0.965, 0.972, 0.98};
constexpr Rgb kBoxFill{0.94, 0.96, 0.98};
constexpr Rgb kAccent{0.11, 0.27, 0.45};

constexpr double kCellPadX = 3.0;
constexpr double kCellPadY = 2.6;
constexpr double kDetailIndent = 10.0;
// Pages after the first start lower, under the running header.
constexpr double kRunningHeaderHeight = 14.0;

double Points(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

double Height(PangoLayout* l) {
  int w = 0;
  int h = 0;
  pango_layout_get_size(l, &w, &h);
  return Points(h);
}

double FirstLineHeight(PangoLayout* l) {
  PangoLayoutIter* it = pango_layout_get_iter(l);
  PangoRectangle r;
  pango_layout_iter_get_line_extents(it, nullptr, &r);
  pango_layout_iter_free(it);
  return Points(r.height);
}

// What is wrong with a markup, by glib's error code: glib's own message quotes the text, which may
// be personal (a name that was not escaped).
std::string MarkupProblem(const GError* error) {
  if (error == nullptr || error->domain != G_MARKUP_ERROR) return "unparsable";
  switch (error->code) {
    case G_MARKUP_ERROR_BAD_UTF8: return "not UTF-8";
    case G_MARKUP_ERROR_UNKNOWN_ELEMENT: return "an unknown tag, e.g. an unescaped '<'";
    case G_MARKUP_ERROR_UNKNOWN_ATTRIBUTE: return "an unknown attribute";
    case G_MARKUP_ERROR_INVALID_CONTENT: return "an invalid attribute value";
    case G_MARKUP_ERROR_MISSING_ATTRIBUTE: return "a missing attribute";
    default: return "malformed, e.g. an unclosed tag or an unescaped '&'";
  }
}

}  // namespace

void Document::Engine::Space(double points) { y_ = std::min(y_ + points, kBodyBottom); }

void Document::Engine::Paragraph(const std::string& markup, double size, double indent,
                                 double after) {
  Layout l = Make(markup, size, kContentWidth - indent);
  Flow(l.get(), kMarginLeft + indent, kBlack);
  y_ += after;
}

void Document::Engine::Bullets(const std::vector<std::string>& items, double size) {
  for (const auto& item : items) {
    Layout bullet = Make("•", size, 10);
    Layout l = Make(item, size, kContentWidth - 12);
    Ensure(FirstLineHeight(l.get()));
    Show(bullet.get(), kMarginLeft + 2, y_, kBlack);
    Flow(l.get(), kMarginLeft + 12, kBlack);
    y_ += 2.0;
  }
}

void Document::Engine::Title(const std::string& markup, const std::string& subtitle) {
  Layout t = Make(markup, kTitleSize, kContentWidth);
  Ensure(Height(t.get()));
  Show(t.get(), kMarginLeft, y_, kAccent);
  y_ += Height(t.get()) + 2;
  Layout s = Make(subtitle, kBodySize, kContentWidth);
  Show(s.get(), kMarginLeft, y_, kGreyText);
  y_ += Height(s.get()) + 6;
  HorizontalRule(1.2, kAccent);
  y_ += 8;
}

void Document::Engine::Heading(const std::string& markup) {
  Layout l = Make(Bold(markup), kHeadingSize, kContentWidth);
  const double h = Height(l.get());
  Space(10);
  Ensure(h + 4 + 60);  // with the first lines of what follows
  Show(l.get(), kMarginLeft, y_, kAccent);
  y_ += h + 2;
  HorizontalRule(0.6, kAccent);
  y_ += 6;
}

void Document::Engine::SubHeading(const std::string& markup) {
  Layout l = Make(Bold(markup), kSubHeadingSize, kContentWidth);
  const double h = Height(l.get());
  Space(4);
  Ensure(h + 40);
  Show(l.get(), kMarginLeft, y_, kBlack);
  y_ += h + 4;
}

void Document::Engine::KeyValues(const std::vector<std::pair<std::string, std::string>>& rows,
                                 double key_width, double size) {
  for (const auto& [key, value] : rows) {
    Layout k = Make(Grey(key), size, key_width - 6);
    Layout v = Make(value, size, kContentWidth - key_width);
    const double h = std::max(Height(k.get()), Height(v.get()));
    Ensure(h);
    Show(k.get(), kMarginLeft, y_, kBlack);
    Show(v.get(), kMarginLeft + key_width, y_, kBlack);
    y_ += h + 2.5;
  }
}

void Document::Engine::Box(const std::vector<std::string>& lines) {
  constexpr double kPad = 7.0;
  std::vector<Layout> layouts;
  double h = 0;
  for (const auto& line : lines) {
    layouts.push_back(Make(line, kBodySize, kContentWidth - 2 * kPad));
    h += Height(layouts.back().get()) + 2;
  }
  h += 2 * kPad - 2;
  Ensure(h);
  if (draw_) {
    cairo_rectangle(cr_, kMarginLeft, y_, kContentWidth, h);
    SetColour(kBoxFill);
    cairo_fill_preserve(cr_);
    SetColour(kRuleGrey);
    cairo_set_line_width(cr_, 0.6);
    cairo_stroke(cr_);
    cairo_rectangle(cr_, kMarginLeft, y_, 2.5, h);
    SetColour(kAccent);
    cairo_fill(cr_);
  }
  double y = y_ + kPad;
  for (const auto& l : layouts) {
    Show(l.get(), kMarginLeft + kPad + 2, y, kBlack);
    y += Height(l.get()) + 2;
  }
  y_ += h + 6;
}

void Document::Engine::Table(const std::vector<Column>& columns, const std::vector<Row>& rows,
                             double size) {
  TableHeader(columns, size, /*keep_with_first_row=*/rows.empty() ? 0.0 : 24.0);
  bool stripe = false;
  for (const auto& row : rows) {
    std::vector<Layout> cells;
    double h = 0;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string& text = i < row.cells.size() ? row.cells[i] : std::string();
      const std::string markup = row.bold ? Bold(text) : text;
      const double width = columns[i].width - 2 * kCellPadX;
      cells.push_back(columns[i].fit ? MakeFitting(markup, size, width, columns[i].align)
                                     : Make(markup, size, width, columns[i].align));
      h = std::max(h, Height(cells.back().get()));
    }
    Layout detail;
    double detail_h = 0;
    if (!row.detail.empty()) {
      detail = Make(row.detail, size - 0.6, kContentWidth - 2 * kCellPadX - kDetailIndent);
      detail_h = Height(detail.get()) + 1.5;
    }
    const double row_h = h + detail_h + 2 * kCellPadY;
    if (y_ + row_h > kBodyBottom) {
      NewPage();
      TableHeader(columns, size, 0);
      stripe = false;
    }
    if (draw_) {
      if (stripe) {
        cairo_rectangle(cr_, kMarginLeft, y_, kContentWidth, row_h);
        SetColour(kStripeFill);
        cairo_fill(cr_);
      }
      cairo_move_to(cr_, kMarginLeft, y_ + row_h);
      cairo_line_to(cr_, kMarginLeft + kContentWidth, y_ + row_h);
      SetColour(kRuleGrey);
      cairo_set_line_width(cr_, 0.4);
      cairo_stroke(cr_);
    }
    double x = kMarginLeft;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      Show(cells[i].get(), x + kCellPadX, y_ + kCellPadY, kBlack);
      x += columns[i].width;
    }
    if (detail) {
      Show(detail.get(), kMarginLeft + kCellPadX + kDetailIndent, y_ + kCellPadY + h + 1.5,
           kGreyText);
    }
    y_ += row_h;
    stripe = !stripe;
  }
  y_ += 6;
}

// Parses the markup itself (pango_layout_set_markup would do the same) so that invalid markup
// becomes an error of the document instead of a glib warning on stderr and an empty text.
Layout Document::Engine::Make(const std::string& markup, double size, double width, Align align) {
  Layout l(pango_layout_new(context_));
  PangoFontDescription* font = pango_font_description_from_string(kFontFamily);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_layout_set_font_description(l.get(), font);
  pango_font_description_free(font);
  pango_layout_set_width(l.get(), static_cast<int>(std::max(width, 1.0) * PANGO_SCALE));
  pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(l.get(),
                             align == Align::kRight ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  PangoAttrList* attributes = nullptr;
  char* text = nullptr;
  GError* error = nullptr;
  if (pango_parse_markup(markup.c_str(), static_cast<int>(markup.size()), 0, &attributes, &text,
                         nullptr, &error)) {
    pango_layout_set_text(l.get(), text, -1);
    pango_layout_set_attributes(l.get(), attributes);
    pango_attr_list_unref(attributes);
    g_free(text);
  } else {
    if (markup_error_.empty()) markup_error_ = MarkupProblem(error);
    if (error != nullptr) g_error_free(error);
  }
  return l;
}

// One line at `size` if it fits in `width`, else at the size that fits (not below 5 pt; below
// that it wraps).
Layout Document::Engine::MakeFitting(const std::string& markup, double size, double width,
                                     Align align) {
  Layout l = Make(markup, size, width, align);
  pango_layout_set_width(l.get(), -1);
  int w = 0;
  int h = 0;
  pango_layout_get_size(l.get(), &w, &h);
  if (Points(w) <= width) return Make(markup, size, width, align);
  const double fitting = std::max(5.0, std::floor(size * width / Points(w) * 10.0) / 10.0);
  return Make(markup, fitting, width, align);
}

void Document::Engine::SetColour(Rgb c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }

void Document::Engine::Show(PangoLayout* l, double x, double y, Rgb colour) {
  if (!draw_) return;
  SetColour(colour);
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, l);
}

// Draws a layout line by line from y_, continuing on a new page when a line does not fit.
void Document::Engine::Flow(PangoLayout* l, double x, Rgb colour) {
  PangoLayoutIter* it = pango_layout_get_iter(l);
  double origin = y_;  // where layout y = `offset` is drawn
  double offset = 0;
  double bottom = y_;
  do {
    PangoRectangle r;
    pango_layout_iter_get_line_extents(it, nullptr, &r);
    const double top = Points(r.y);
    const double h = Points(r.height);
    if (origin + top - offset + h > kBodyBottom && origin + top - offset > Top() + 0.5) {
      NewPage();
      origin = y_;
      offset = top;
    }
    if (draw_) {
      SetColour(colour);
      const double baseline = origin - offset + Points(pango_layout_iter_get_baseline(it));
      cairo_move_to(cr_, x + Points(r.x), baseline);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
    }
    bottom = origin + top - offset + h;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  y_ = bottom;
}

// A new page if `height` does not fit below y_, unless y_ is at the top already (a block taller
// than a page is drawn anyway rather than breaking pages for ever).
void Document::Engine::Ensure(double height) {
  if (y_ + height > kBodyBottom && y_ > Top() + 0.5) NewPage();
}

double Document::Engine::Top() const {
  return page_ == 1 || info_.running_header.empty() ? kMarginTop
                                                    : kMarginTop + kRunningHeaderHeight;
}

void Document::Engine::HorizontalRule(double width, Rgb colour) {
  if (!draw_) return;
  cairo_move_to(cr_, kMarginLeft, y_);
  cairo_line_to(cr_, kMarginLeft + kContentWidth, y_);
  SetColour(colour);
  cairo_set_line_width(cr_, width);
  cairo_stroke(cr_);
}

void Document::Engine::TableHeader(const std::vector<Column>& columns, double size,
                                   double keep_with_first_row) {
  std::vector<Layout> cells;
  double h = 0;
  for (const auto& c : columns) {
    cells.push_back(Make(Bold(c.title), size, c.width - 2 * kCellPadX, c.align));
    h = std::max(h, Height(cells.back().get()));
  }
  const double row_h = h + 2 * kCellPadY;
  Ensure(row_h + keep_with_first_row);
  if (draw_) {
    cairo_rectangle(cr_, kMarginLeft, y_, kContentWidth, row_h);
    SetColour(kHeaderFill);
    cairo_fill(cr_);
  }
  double x = kMarginLeft;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    Show(cells[i].get(), x + kCellPadX, y_ + kCellPadY, kBlack);
    x += columns[i].width;
  }
  y_ += row_h;
}

void Document::Engine::NewPage() {
  Footer();
  if (draw_) cairo_show_page(cr_);
  ++page_;
  y_ = Top();
  RunningHeader();
}

void Document::Engine::RunningHeader() {
  if (info_.running_header.empty()) return;
  Layout l = Make(Grey(info_.running_header), kSmallSize, kContentWidth);
  pango_layout_set_ellipsize(l.get(), PANGO_ELLIPSIZE_MIDDLE);
  Show(l.get(), kMarginLeft, kMarginTop - 4, kBlack);
  if (draw_) {
    cairo_move_to(cr_, kMarginLeft, kMarginTop + 7);
    cairo_line_to(cr_, kMarginLeft + kContentWidth, kMarginTop + 7);
    SetColour(kRuleGrey);
    cairo_set_line_width(cr_, 0.5);
    cairo_stroke(cr_);
  }
}

void Document::Engine::Footer() {
  if (!draw_) return;
  cairo_move_to(cr_, kMarginLeft, kFooterTop - 5);
  cairo_line_to(cr_, kMarginLeft + kContentWidth, kFooterTop - 5);
  SetColour(kRuleGrey);
  cairo_set_line_width(cr_, 0.5);
  cairo_stroke(cr_);
  const std::string label =
      info_.page_label ? info_.page_label(page_, total_pages_)
                       : "Sida " + std::to_string(page_) + " av " + std::to_string(total_pages_);
  Layout right = Make(label, kSmallSize, 110, Align::kRight);
  Show(right.get(), kMarginLeft + kContentWidth - 110, kFooterTop, kGreyText);
  Layout left = Make(info_.footer, kSmallSize, kContentWidth - 115);
  pango_layout_set_ellipsize(left.get(), PANGO_ELLIPSIZE_MIDDLE);
  Show(left.get(), kMarginLeft, kFooterTop, kGreyText);
}

}  // namespace slussen::pdf
