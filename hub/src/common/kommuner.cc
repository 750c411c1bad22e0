#include "common/kommuner.h"

namespace slussen {

const KommunEntry* FindKommunEntry(std::string_view kod) {
  for (const auto& k : AllKommuner()) {
    if (kod == k.kod) return &k;
  }
  return nullptr;
}

}  // namespace slussen
