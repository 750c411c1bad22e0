#include "pdf/markup.h"

#include <glib.h>

namespace slussen::pdf {

std::string Esc(std::string_view text) {
  if (text.empty()) return {};  // an empty view may have no data pointer, which glib refuses
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  gchar* escaped = g_markup_escape_text(valid, -1);
  std::string out(escaped);
  g_free(escaped);
  g_free(valid);
  return out;
}

std::string Bold(const std::string& markup) { return "<b>" + markup + "</b>"; }

std::string Small(const std::string& markup) { return "<small>" + markup + "</small>"; }

std::string Grey(const std::string& markup) { return Colour(kGrey, markup); }

std::string Colour(std::string_view colour, const std::string& markup) {
  return "<span foreground=\"" + std::string(colour) + "\">" + markup + "</span>";
}

}  // namespace slussen::pdf
