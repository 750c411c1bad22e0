#pragma once
// Every text given to the pdf library is Pango markup: UTF-8 text with a few HTML-like tags
// (<b>, <i>, <small>, <span foreground="#rrggbb">) and the entities &amp; &lt; &gt; &quot; &apos;.
// Text that comes from outside (a case id, a reason, a name) must go through Esc() before it is
// put into markup: an unescaped "<" or "&" is invalid markup, and the document then fails to
// render with an error (document.h) rather than showing something else.
#include <string>
#include <string_view>

namespace slussen::pdf {

// Colours for Colour(), as Pango's "#rrggbb".
inline constexpr const char* kGreen = "#1b6e2a";
inline constexpr const char* kRed = "#b3261e";
inline constexpr const char* kAmber = "#9a5b00";
inline constexpr const char* kGrey = "#5f5f5f";

// The text as markup that shows it literally: invalid UTF-8 replaced (Pango draws nothing for
// it), markup characters escaped.
std::string Esc(std::string_view text);

std::string Bold(const std::string& markup);
std::string Small(const std::string& markup);
std::string Grey(const std::string& markup);
// `colour` is a Pango colour: "#rrggbb" or a name ("red").
std::string Colour(std::string_view colour, const std::string& markup);

}  // namespace slussen::pdf
