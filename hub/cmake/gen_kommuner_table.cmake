# Turns data/kommuner.csv (kommunkod,namn,lanskod) into a C++ table. Run by hub/CMakeLists.txt.
file(STRINGS ${CSV} lines ENCODING UTF-8)
list(POP_FRONT lines header)
set(body "")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "," ";" fields "${line}")
  list(GET fields 0 kod)
  list(GET fields 1 namn)
  string(APPEND body "    {\"${kod}\", \"${namn}\"},\n")
endforeach()
file(WRITE ${OUT} "// Generated from data/kommuner.csv by hub/cmake/gen_kommuner_table.cmake. Do not edit.
#include \"common/kommuner.h\"

namespace slussen {
const std::vector<KommunEntry>& AllKommuner() {
  static const std::vector<KommunEntry> table = {
${body}  };
  return table;
}
}  // namespace slussen
")
