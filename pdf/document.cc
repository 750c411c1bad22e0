#include "pdf/document.h"

#include <cairo-pdf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>

#include "pdf/engine.h"

namespace slussen::pdf {

void Document::Title(const std::string& markup, const std::string& subtitle) {
  engine_.Title(markup, subtitle);
}
void Document::Heading(const std::string& markup) { engine_.Heading(markup); }
void Document::SubHeading(const std::string& markup) { engine_.SubHeading(markup); }
void Document::Paragraph(const std::string& markup, double size, double indent, double after) {
  engine_.Paragraph(markup, size, indent, after);
}
void Document::Bullets(const std::vector<std::string>& items, double size) {
  engine_.Bullets(items, size);
}
void Document::KeyValues(const std::vector<std::pair<std::string, std::string>>& rows,
                         double key_width, double size) {
  engine_.KeyValues(rows, key_width, size);
}
void Document::Box(const std::vector<std::string>& lines) { engine_.Box(lines); }
void Document::Table(const std::vector<Column>& columns, const std::vector<Row>& rows,
                     double size) {
  engine_.Table(columns, rows, size);
}
void Document::Space(double points) { engine_.Space(points); }
void Document::PageBreak() { engine_.NewPage(); }
int Document::page() const { return engine_.page(); }

namespace {

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

// "2026-04-01T10:35:00.250+02:00" -> "2026-04-01T10:35:00+02:00" (a PDF date has no fraction).
std::string WithoutFraction(std::string t) {
  const auto dot = t.find('.');
  if (dot == std::string::npos) return t;
  auto end = t.find_first_of("+-Z", dot);
  return t.substr(0, dot) + (end == std::string::npos ? "" : t.substr(end));
}

void SetMetadata(cairo_surface_t* surface, const DocumentInfo& info) {
  const std::pair<cairo_pdf_metadata_t, std::string> fields[] = {
      {CAIRO_PDF_METADATA_TITLE, info.title},
      {CAIRO_PDF_METADATA_SUBJECT, info.subject},
      {CAIRO_PDF_METADATA_CREATOR, info.creator},
      {CAIRO_PDF_METADATA_CREATE_DATE, WithoutFraction(info.created)}};
  for (const auto& [field, value] : fields) {
    if (!value.empty()) cairo_pdf_surface_set_metadata(surface, field, value.c_str());
  }
}

// A pango context over `cr` that lays text out at its exact size, so that the counting pass and
// the drawing pass break lines and pages in the same places.
PangoContext* MakeContext(cairo_t* cr) {
  PangoContext* context = pango_cairo_create_context(cr);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  return context;
}

}  // namespace

// Runs `content` once; returns the number of pages, or the problem.
class RenderPass {
 public:
  static Result<int> Run(cairo_t* cr, PangoContext* context, bool draw, int total_pages,
                         const DocumentInfo& info, const std::function<void(Document&)>& content) {
    Document::Engine engine(cr, context, draw, total_pages, info);
    Document document(engine);
    try {
      content(document);
    } catch (const std::exception& e) {
      return Error{std::string("the document content failed: ") + e.what()};
    }
    engine.End();
    if (!engine.markup_error().empty()) {
      return Error{"invalid markup (" + engine.markup_error() + "; escape text with pdf::Esc)"};
    }
    return engine.page();
  }
};

Status WritePdf(const std::string& path, const DocumentInfo& info,
                const std::function<void(Document&)>& content) {
  errno = 0;
  Sink sink;
  sink.file = std::fopen(path.c_str(), "wb");
  if (sink.file == nullptr) return Error{"cannot write PDF " + path + ": " + std::strerror(errno)};
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(WriteToSink, &sink, kPageWidth, kPageHeight);
  SetMetadata(surface, info);
  cairo_t* cr = cairo_create(surface);
  PangoContext* context = MakeContext(cr);

  std::string problem;
  Result<int> counted = RenderPass::Run(cr, context, /*draw=*/false, 0, info, content);
  if (counted.ok()) {
    Result<int> drawn = RenderPass::Run(cr, context, /*draw=*/true, *counted, info, content);
    if (!drawn.ok()) problem = drawn.error();
  } else {
    problem = counted.error();
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
    // Leave no half-written document behind, but never remove a device or pipe (/dev/stdout).
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) std::filesystem::remove(path, ec);
    return Error{"cannot write PDF " + path + ": " + problem};
  }
  return OkStatus();
}

}  // namespace slussen::pdf
