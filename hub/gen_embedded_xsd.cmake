# Turns schemas/config.xsd into a C++ raw string literal, so that the hub validates its config
# against the schema it was built with even where the source tree is absent. Run by
# hub/CMakeLists.txt with -DXSD=<in> -DOUT=<out>.
file(READ ${XSD} xsd)
# A raw string ends at )<delimiter>"; refuse an XSD that contains that rather than emit broken C++.
set(delimiter "slussen_xsd")
string(FIND "${xsd}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${XSD} contains ')${delimiter}\"', which would end the raw string early")
endif()
file(WRITE ${OUT} "// Generated from schemas/config.xsd by hub/gen_embedded_xsd.cmake. Do not edit.
#include \"config_loader.h\"

namespace slussen {
std::string_view EmbeddedConfigXsd() {
  static constexpr char kXsd[] = R\"${delimiter}(${xsd})${delimiter}\";
  return {kXsd, sizeof(kXsd) - 1};
}
}  // namespace slussen
")
