#pragma once
// Sweden's 290 municipalities (SCB kommunkoder), compiled in from data/kommuner.csv.
#include <string>
#include <string_view>
#include <vector>

namespace slussen {

struct KommunEntry {
  const char* kod;   // 4 digits: 2-digit län + 2
  const char* name;  // UTF-8
};

const std::vector<KommunEntry>& AllKommuner();
// nullptr if no Swedish municipality has this code.
const KommunEntry* FindKommunEntry(std::string_view kod);

}  // namespace slussen
