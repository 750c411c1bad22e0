# Turns a schema (schemas/*.xsd) into a C++ raw string literal returned by a function, so that the
# hub validates its files against the schema it was built with even where the source tree is
# absent. Run by hub/CMakeLists.txt with -DXSD=<in> -DOUT=<out> and optionally
# -DSYMBOL=<function name> -DHEADER=<header declaring it>; without them it emits
# EmbeddedConfigXsd() from config_loader.h, as it did before it served more than one schema.
# With -DPART=<file>, the comment <!-- slussen:adapter-common --> in the schema is replaced by that
# file's text: the adapters' schemas share their common types (schemas/adapters/common.xsd-part)
# that way, as one compiled-in schema each.
# -DLABEL=<path> names the source in the generated comment (default schemas/<file name>), for
# schemas in subfolders such as schemas/xml/.
# Any text file can go in this way: hub/src/admin/CMakeLists.txt embeds the dashboard's page, script
# and style with it.
if(NOT DEFINED SYMBOL)
  set(SYMBOL EmbeddedConfigXsd)
endif()
if(NOT DEFINED HEADER)
  set(HEADER config/config_loader.h)
endif()
get_filename_component(xsd_name ${XSD} NAME)
if(NOT DEFINED LABEL)
  set(LABEL schemas/${xsd_name})
endif()
file(READ ${XSD} xsd)
if(DEFINED PART)
  file(READ ${PART} part)
  string(FIND "${xsd}" "<!-- slussen:adapter-common -->" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${XSD} has no <!-- slussen:adapter-common --> to put ${PART} in")
  endif()
  string(REPLACE "<!-- slussen:adapter-common -->" "${part}" xsd "${xsd}")
endif()
# A raw string ends at )<delimiter>"; refuse an XSD that contains that rather than emit broken C++.
set(delimiter "slussen_xsd")
string(FIND "${xsd}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${XSD} contains ')${delimiter}\"', which would end the raw string early")
endif()
file(WRITE ${OUT} "// Generated from ${LABEL} by hub/cmake/gen_embedded_xsd.cmake. Do not edit.
#include \"${HEADER}\"

namespace slussen {
std::string_view ${SYMBOL}() {
  static constexpr char kXsd[] = R\"${delimiter}(${xsd})${delimiter}\";
  return {kXsd, sizeof(kXsd) - 1};
}
}  // namespace slussen
")
