#include "report/case_report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/kommuner.h"

namespace slussen {
namespace {

using nlohmann::json;

// ---- page geometry (PDF points, 1/72 inch) -----------------------------------------------------

constexpr double kPageWidth = 595.2756;   // A4: 210 mm
constexpr double kPageHeight = 841.8898;  // 297 mm
constexpr double kMarginLeft = 51.0;      // 18 mm
constexpr double kMarginRight = 51.0;
constexpr double kMarginTop = 51.0;
constexpr double kMarginBottom = 62.0;    // room for the footer
constexpr double kContentWidth = kPageWidth - kMarginLeft - kMarginRight;
constexpr double kBodyBottom = kPageHeight - kMarginBottom;
constexpr double kFooterTop = kPageHeight - 40.0;

// Font sizes (absolute, in points).
constexpr double kTitleSize = 16.0;
constexpr double kHeadingSize = 11.5;
constexpr double kSubHeadingSize = 9.5;
constexpr double kBodySize = 8.5;
constexpr double kTableSize = 7.6;
constexpr double kSmallSize = 6.8;
// A table column that holds "2026-03-26T12:05:00+01:00" on one line at kTableSize.
constexpr double kTimeColumn = 124.0;

// "DejaVu Sans" from fonts-dejavu-core; the others only if it is missing.
constexpr const char* kFontFamily = "DejaVu Sans,Liberation Sans,Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kBlack{0.0, 0.0, 0.0};
constexpr Rgb kGrey{0.38, 0.38, 0.38};
constexpr Rgb kRuleGrey{0.75, 0.77, 0.80};
constexpr Rgb kHeaderFill{0.89, 0.92, 0.95};
constexpr Rgb kStripeFill{0.965, 0.972, 0.98};
constexpr Rgb kBoxFill{0.94, 0.96, 0.98};
constexpr Rgb kAccent{0.11, 0.27, 0.45};

constexpr const char* kGreenMarkup = "#1b6e2a";
constexpr const char* kRedMarkup = "#b3261e";
constexpr const char* kAmberMarkup = "#9a5b00";
constexpr const char* kGreyMarkup = "#5f5f5f";

constexpr const char* kDash = "–";

// ---- text helpers ----------------------------------------------------------------------------

// Valid UTF-8 (pango draws nothing for invalid input), escaped for pango markup.
std::string Esc(std::string_view s) {
  gchar* valid = g_utf8_make_valid(s.data(), static_cast<gssize>(s.size()));
  gchar* escaped = g_markup_escape_text(valid, -1);
  std::string out(escaped);
  g_free(escaped);
  g_free(valid);
  return out;
}

std::string Bold(const std::string& markup) { return "<b>" + markup + "</b>"; }
std::string Small(const std::string& markup) { return "<small>" + markup + "</small>"; }
std::string Grey(const std::string& markup) {
  return std::string("<span foreground=\"") + kGreyMarkup + "\">" + markup + "</span>";
}
std::string Colour(const char* colour, const std::string& markup) {
  return std::string("<span foreground=\"") + colour + "\">" + markup + "</span>";
}

const json& EmptyArray() {
  static const json empty = json::array();
  return empty;
}

const json& Field(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

const json& Array(const json& j, const char* key) {
  const json& v = Field(j, key);
  return v.is_array() ? v : EmptyArray();
}

// The text of a field; "" for null or missing.
std::string Str(const json& j, const char* key) {
  const json& v = Field(j, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Escaped text of a field, or a dash when it is absent.
std::string Text(const json& j, const char* key) {
  const std::string s = Str(j, key);
  return s.empty() ? kDash : Esc(s);
}

// Escaped text of an array element (a string, or anything else as JSON).
std::string Plain(const json& v) { return Esc(v.is_string() ? v.get<std::string>() : v.dump()); }

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
  if (s == "met") return Colour(kGreenMarkup, "uppfylld (met)");
  if (s == "missed") return Colour(kRedMarkup, Bold("missad (missed)"));
  if (s == "at-risk") return Colour(kAmberMarkup, Bold("i riskzonen (at risk)"));
  if (s == "pending") return "väntar (pending)";
  return s.empty() ? kDash : Esc(s);
}

std::string PreconditionStateText(const std::string& s) {
  if (s == "met") return Colour(kGreenMarkup, "uppfylld (met)");
  if (s == "failed") return Colour(kRedMarkup, Bold("ej uppfylld (failed)"));
  if (s == "not-yet-known") return Colour(kAmberMarkup, "ännu okänd (not yet known)");
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

// ---- pango/cairo wrappers ----------------------------------------------------------------------

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;

double Points(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

enum class Align { kLeft, kRight };

struct Column {
  std::string title;  // markup
  double width;       // points
  Align align = Align::kLeft;
  // Shrink the type of a cell that does not fit on one line (times with fractions of a second)
  // rather than break it, so that it stays one searchable string.
  bool fit = false;
};

struct Row {
  std::vector<std::string> cells;  // markup, one per column
  std::string detail;              // markup under the cells, full width; may be empty
  bool bold = false;
};

// Lays out the report from top to bottom, breaking pages where the next block does not fit. It
// runs twice: once without drawing to count the pages (for "Sida N av M"), then drawing.
class Renderer {
 public:
  // `header` (markup) heads every page after the first; `footer_left` (markup) is at the foot of
  // every page, left of the page number.
  Renderer(cairo_t* cr, PangoContext* context, bool draw, int total_pages, std::string header,
           std::string footer_left)
      : cr_(cr), context_(context), draw_(draw), total_pages_(total_pages),
        header_(std::move(header)), footer_left_(std::move(footer_left)) {}

  int pages() const { return page_; }

  void Begin() {
    page_ = 1;
    y_ = kMarginTop;
  }
  void End() { Footer(); }

  void Space(double points) { y_ = std::min(y_ + points, kBodyBottom); }

  // A paragraph that may run over a page break (line by line).
  void Paragraph(const std::string& markup, double size = kBodySize, double indent = 0,
                 double after = 3.0, Rgb colour = kBlack) {
    Layout l = Make(markup, size, kContentWidth - indent);
    Flow(l.get(), kMarginLeft + indent, colour);
    y_ += after;
  }

  void Bullets(const std::vector<std::string>& items, double size = kBodySize) {
    for (const auto& item : items) {
      Layout bullet = Make("•", size, 10);
      Layout l = Make(item, size, kContentWidth - 12);
      const double first_line = LineHeight(l.get());
      Ensure(first_line);
      Show(bullet.get(), kMarginLeft + 2, y_, kBlack);
      Flow(l.get(), kMarginLeft + 12, kBlack);
      y_ += 2.0;
    }
  }

  void Title(const std::string& markup, const std::string& subtitle) {
    Layout t = Make(markup, kTitleSize, kContentWidth);
    Show(t.get(), kMarginLeft, y_, kAccent);
    y_ += Height(t.get()) + 2;
    Layout s = Make(subtitle, kBodySize, kContentWidth);
    Show(s.get(), kMarginLeft, y_, kGrey);
    y_ += Height(s.get()) + 6;
    HorizontalRule(1.2, kAccent);
    y_ += 8;
  }

  // A numbered section heading, kept together with the first lines that follow it.
  void Heading(const std::string& markup) {
    Layout l = Make(Bold(markup), kHeadingSize, kContentWidth);
    const double h = Height(l.get());
    Space(10);
    Ensure(h + 4 + 60);
    Show(l.get(), kMarginLeft, y_, kAccent);
    y_ += h + 2;
    HorizontalRule(0.6, kAccent);
    y_ += 6;
  }

  void SubHeading(const std::string& markup) {
    Layout l = Make(Bold(markup), kSubHeadingSize, kContentWidth);
    const double h = Height(l.get());
    Space(4);
    Ensure(h + 40);
    Show(l.get(), kMarginLeft, y_, kBlack);
    y_ += h + 4;
  }

  // Label/value pairs in two columns, without rules.
  void KeyValues(const std::vector<std::pair<std::string, std::string>>& rows, double key_width,
                 double size = kBodySize) {
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

  // A shaded box around a few lines of markup (the summary).
  void Box(const std::vector<std::string>& lines) {
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

  // A table with a shaded header row that is repeated after every page break. A row (with its
  // detail) is never split across pages.
  void Table(const std::vector<Column>& columns, const std::vector<Row>& rows,
             double size = kTableSize) {
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
        Show(detail.get(), kMarginLeft + kCellPadX + kDetailIndent, y_ + kCellPadY + h + 1.5, kGrey);
      }
      y_ += row_h;
      stripe = !stripe;
    }
    y_ += 6;
  }

 private:
  static constexpr double kCellPadX = 3.0;
  static constexpr double kCellPadY = 2.6;
  static constexpr double kDetailIndent = 10.0;

  Layout Make(const std::string& markup, double size, double width, Align align = Align::kLeft) {
    Layout l(pango_layout_new(context_));
    PangoFontDescription* font = pango_font_description_from_string(kFontFamily);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(l.get(), font);
    pango_font_description_free(font);
    pango_layout_set_width(l.get(), static_cast<int>(std::max(width, 1.0) * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l.get(), align == Align::kRight ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_markup(l.get(), markup.c_str(), -1);
    return l;
  }

  // One line at `size` if it fits in `width`, else at the size that fits (not below 5 pt; below
  // that it wraps).
  Layout MakeFitting(const std::string& markup, double size, double width, Align align) {
    Layout l = Make(markup, size, width, align);
    pango_layout_set_width(l.get(), -1);
    int w = 0;
    int h = 0;
    pango_layout_get_size(l.get(), &w, &h);
    if (Points(w) <= width) return Make(markup, size, width, align);
    const double fitting = std::max(5.0, std::floor(size * width / Points(w) * 10.0) / 10.0);
    return Make(markup, fitting, width, align);
  }

  static double Height(PangoLayout* l) {
    int w = 0;
    int h = 0;
    pango_layout_get_size(l, &w, &h);
    return Points(h);
  }

  static double LineHeight(PangoLayout* l) {
    PangoLayoutIter* it = pango_layout_get_iter(l);
    PangoRectangle r;
    pango_layout_iter_get_line_extents(it, nullptr, &r);
    pango_layout_iter_free(it);
    return Points(r.height);
  }

  void SetColour(Rgb c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }

  void Show(PangoLayout* l, double x, double y, Rgb colour) {
    if (!draw_) return;
    SetColour(colour);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, l);
  }

  // Draws a layout line by line from y_, continuing on a new page when a line does not fit.
  void Flow(PangoLayout* l, double x, Rgb colour) {
    PangoLayoutIter* it = pango_layout_get_iter(l);
    double origin = y_;  // where layout y = `offset` is drawn
    double offset = 0;
    double bottom = y_;
    do {
      PangoRectangle r;
      pango_layout_iter_get_line_extents(it, nullptr, &r);
      const double top = Points(r.y);
      const double h = Points(r.height);
      if (origin + top - offset + h > kBodyBottom && origin + top - offset > kMarginTop + 0.5) {
        NewPage();
        origin = y_;
        offset = top;
      }
      if (draw_) {
        SetColour(colour);
        cairo_move_to(cr_, x + Points(r.x),
                      origin - offset + Points(pango_layout_iter_get_baseline(it)));
        pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      }
      bottom = origin + top - offset + h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    y_ = bottom;
  }

  void Ensure(double height) {
    if (y_ + height > kBodyBottom && y_ > Top() + 0.5) NewPage();
  }

  double Top() const { return page_ == 1 ? kMarginTop : kMarginTop + 14; }

  void HorizontalRule(double width, Rgb colour) {
    if (draw_) {
      cairo_move_to(cr_, kMarginLeft, y_);
      cairo_line_to(cr_, kMarginLeft + kContentWidth, y_);
      SetColour(colour);
      cairo_set_line_width(cr_, width);
      cairo_stroke(cr_);
    }
  }

  void TableHeader(const std::vector<Column>& columns, double size, double keep_with_first_row) {
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

  void NewPage() {
    Footer();
    if (draw_) cairo_show_page(cr_);
    ++page_;
    y_ = Top();
    RunningHeader();
  }

  // Pages after the first: the title and case in small type above a rule.
  void RunningHeader() {
    Layout l = Make(Grey("Slussen — underlag för betalningsansvar (evidence report) · " + header_),
                    kSmallSize, kContentWidth);
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

  void Footer() {
    if (!draw_) return;
    cairo_move_to(cr_, kMarginLeft, kFooterTop - 5);
    cairo_line_to(cr_, kMarginLeft + kContentWidth, kFooterTop - 5);
    SetColour(kRuleGrey);
    cairo_set_line_width(cr_, 0.5);
    cairo_stroke(cr_);
    const std::string page = "Sida " + std::to_string(page_) + " av " + std::to_string(total_pages_) +
                             " (page " + std::to_string(page_) + " of " +
                             std::to_string(total_pages_) + ")";
    Layout right = Make(page, kSmallSize, 110, Align::kRight);
    Show(right.get(), kMarginLeft + kContentWidth - 110, kFooterTop, kGrey);
    Layout left = Make(footer_left_, kSmallSize, kContentWidth - 115);
    pango_layout_set_ellipsize(left.get(), PANGO_ELLIPSIZE_MIDDLE);
    Show(left.get(), kMarginLeft, kFooterTop, kGrey);
  }

  cairo_t* cr_;
  PangoContext* context_;
  bool draw_;
  int total_pages_;
  std::string header_;
  std::string footer_left_;
  int page_ = 1;
  double y_ = kMarginTop;
};

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
  out += (missed > 0 ? Colour(kRedMarkup, Bold(std::to_string(missed) + " missade (missed)"))
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
  if (Bool(liability, "provisional")) out += " " + Colour(kAmberMarkup, "— preliminärt (provisional)");
  return out;
}

void RenderHeader(Renderer& r, const json& report) {
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
  r.KeyValues({{"Vårdtillfälle (case id)", Bold(Text(report, "case_id"))},
               {"Status", StatusText(Str(report, "status"))},
               {"Kommun (municipality)", KommunText(Str(report, "kommunkod"))},
               {"Överenskommelse (agreement)", agreement_text},
               {"Upprättad (generated at)", Text(report, "generated_at")}},
              150);
  r.Space(4);
  r.Box({LiabilitySummary(Field(report, "liability")), DeadlineSummary(report)});
  r.Paragraph(Grey("Tider anges i svensk lokal tid (Europe/Stockholm) med UTC-förskjutning; "
                   "datum är lokala datum. Underlaget innehåller inga personuppgifter. "
                   "(Times are Europe/Stockholm local time with the UTC offset; the report holds no "
                   "personal data.)"),
              kSmallSize + 0.4);
}

void RenderEvents(Renderer& r, const json& report) {
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
      detail.push_back(Colour(kAmberMarkup, "ersatt av (superseded by) " + Esc(Str(e, "superseded_by"))));
    }
    if (!Str(e, "cancelled_by").empty()) {
      detail.push_back(Colour(kRedMarkup, "makulerad av (cancelled by) " + Esc(Str(e, "cancelled_by"))));
    }
    for (const auto& d : Array(e, "destinations")) {
      std::string line = "→ " + Bold(Text(d, "destination")) + "   levererad (delivered) " +
                         Text(d, "delivered_at");
      const json& receipt = Field(d, "receipt");
      if (receipt.is_object()) {
        line += "   kvittens (receipt) " + Text(receipt, "received_at");
        const std::string ack = Str(receipt, "external_ack_id");
        if (!ack.empty()) line += ", ack " + Esc(ack);
        line += ", lagrad (stored) " + Text(receipt, "stored_at");
      } else {
        line += "   " + Colour(kAmberMarkup, "ingen kvittens (no receipt)");
      }
      detail.push_back(line);
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

void RenderDeadlines(Renderer& r, const json& report) {
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

void RenderLiability(Renderer& r, const json& report) {
  const json& l = Field(report, "liability");
  r.Heading("3  Betalningsansvar (payment liability)");
  const std::string model = Str(l, "model");
  std::string liable = Bool(l, "liable") ? Bold("ja (yes)") : Bold("nej (no)");
  if (Bool(l, "provisional")) liable += " " + Colour(kAmberMarkup, "— preliminärt (provisional)");
  r.KeyValues({{"Modell (model)", Translate({{"individual", "individuell (individual)"},
                                             {"average", "genomsnittsmodell (average)"}},
                                            model)},
               {"Regel (rule)", Text(l, "rule")},
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
    std::vector<Row> days;
    const json& billed = Array(p, "billed_days");
    for (const auto& d : billed) {
      days.push_back(Row{{Text(d, "date"), Kr(Int(d, "amount_kr"))}, "", false});
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

void RenderNotes(Renderer& r, const json& report) {
  r.Heading("4  Anteckningar (notes)");
  std::vector<std::string> notes;
  for (const auto& note : Array(report, "notes")) notes.push_back(Plain(note));
  if (notes.empty()) {
    r.Paragraph("Inga anteckningar (none).");
  } else {
    r.Bullets(notes);
  }
}

void Render(Renderer& r, const json& report) {
  r.Begin();
  RenderHeader(r, report);
  RenderEvents(r, report);
  RenderDeadlines(r, report);
  RenderLiability(r, report);
  RenderNotes(r, report);
  r.End();
}

// Writes the PDF stream to a FILE*, remembering the first error.
struct Sink {
  std::FILE* file = nullptr;
  int error = 0;
};

cairo_status_t WriteToSink(void* closure, const unsigned char* data, unsigned int length) {
  auto* sink = static_cast<Sink*>(closure);
  if (sink->error != 0) return CAIRO_STATUS_WRITE_ERROR;
  if (std::fwrite(data, 1, length, sink->file) != length) {
    sink->error = errno != 0 ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

// "2026-04-01T10:35:00.250+02:00" -> "2026-04-01T10:35:00+02:00" (the PDF date has no fraction).
std::string WithoutFraction(std::string t) {
  const auto dot = t.find('.');
  if (dot == std::string::npos) return t;
  auto end = t.find_first_of("+-Z", dot);
  return t.substr(0, dot) + (end == std::string::npos ? "" : t.substr(end));
}

}  // namespace

Status WriteCaseReportPdf(const nlohmann::json& report, const std::string& path) {
  if (!report.is_object()) return Error{"case report PDF: the report is not a JSON object"};
  errno = 0;
  Sink sink;
  sink.file = std::fopen(path.c_str(), "wb");
  if (sink.file == nullptr) {
    return Error{"cannot write case report PDF " + path + ": " + std::strerror(errno)};
  }
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(WriteToSink, &sink, kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  PangoContext* context = pango_cairo_create_context(cr);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);

  const std::string case_id = Str(report, "case_id");
  const std::string title = "Slussen — underlag för betalningsansvar " + case_id;
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT,
                                 "Evidence report for payment liability (lag 2017:612)");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Slussen " SLUSSEN_VERSION);
  const std::string generated = WithoutFraction(Str(report, "generated_at"));
  if (!generated.empty()) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, generated.c_str());
  }

  std::string problem;
  try {
    const std::string header = "Vårdtillfälle (case) " + Text(report, "case_id");
    const std::string footer = header + " · upprättad " + Text(report, "generated_at");
    Renderer count(cr, context, /*draw=*/false, 0, header, footer);
    Render(count, report);
    Renderer draw(cr, context, /*draw=*/true, count.pages(), header, footer);
    Render(draw, report);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  g_object_unref(context);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  const bool closed = std::fclose(sink.file) == 0;
  if (sink.error == 0 && !closed) sink.error = errno != 0 ? errno : EIO;

  if (problem.empty() && status != CAIRO_STATUS_SUCCESS) {
    problem = sink.error != 0 ? std::strerror(sink.error) : cairo_status_to_string(status);
  } else if (problem.empty() && sink.error != 0) {
    problem = std::strerror(sink.error);
  }
  if (!problem.empty()) {
    // Leave no half-written report behind, but never remove a device or pipe (/dev/stdout).
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) std::filesystem::remove(path, ec);
    return Error{"cannot write case report PDF " + path + ": " + problem};
  }
  return OkStatus();
}

}  // namespace slussen
