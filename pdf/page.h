#pragma once
// The page every document of the pdf library is laid out on: A4 portrait, measured in PDF points
// (1/72 inch) from the top left corner, with the margins and type sizes of the hub's documents.
// Table column widths are in the same points and should add up to kContentWidth.
namespace slussen::pdf {

inline constexpr double kPageWidth = 595.2756;   // A4: 210 mm
inline constexpr double kPageHeight = 841.8898;  // 297 mm
inline constexpr double kMarginLeft = 51.0;      // 18 mm
inline constexpr double kMarginRight = 51.0;
inline constexpr double kMarginTop = 51.0;
inline constexpr double kMarginBottom = 62.0;    // room for the footer
inline constexpr double kContentWidth = kPageWidth - kMarginLeft - kMarginRight;
// Text stops here; below is the footer.
inline constexpr double kBodyBottom = kPageHeight - kMarginBottom;
inline constexpr double kFooterTop = kPageHeight - 40.0;

// Type sizes in points (absolute, not relative to a base size).
inline constexpr double kTitleSize = 16.0;
inline constexpr double kHeadingSize = 11.5;
inline constexpr double kSubHeadingSize = 9.5;
inline constexpr double kBodySize = 8.5;
inline constexpr double kTableSize = 7.6;
inline constexpr double kSmallSize = 6.8;

// "DejaVu Sans" from fonts-dejavu-core (real glyphs for åäö, embedded as TrueType); the others
// only if it is missing.
inline constexpr const char* kFontFamily = "DejaVu Sans,Liberation Sans,Sans";

}  // namespace slussen::pdf
