#include <array>
#include <utility>

#include "xmldoc/schema.h"

namespace slussen::xmldoc {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 13> kRoots{{
    {EventKind::kInskrivningsmeddelande, "inskrivningsmeddelande"},
    {EventKind::kEstimatedDischargeChanged, "andrad-beraknad-utskrivning"},
    {EventKind::kPlaneringsunderlag, "planeringsunderlag"},
    {EventKind::kPlaneringsunderlagSvar, "planeringsunderlag-svar"},
    {EventKind::kUtskrivningsklar, "utskrivningsklar"},
    {EventKind::kUtskrivningsklarWithdrawn, "atertagande-utskrivningsklar"},
    {EventKind::kKallelseSip, "kallelse-sip"},
    {EventKind::kUtskrivningsmeddelande, "utskrivningsmeddelande"},
    {EventKind::kReceipt, "kvittens"},
    {EventKind::kCancellation, "makulering"},
    {EventKind::kClockStopper, "uppehall-betalningsansvar"},
    {EventKind::kUtskrivning, "utskrivning"},
    {EventKind::kSipBedomning, "sip-bedomning"},
}};

constexpr std::array<std::string_view, kRoots.size()> kRootNames = [] {
  std::array<std::string_view, kRoots.size()> names{};
  for (std::size_t i = 0; i < kRoots.size(); ++i) names[i] = kRoots[i].second;
  return names;
}();

}  // namespace

std::string_view RootElement(EventKind kind) {
  for (const auto& [k, name] : kRoots) {
    if (k == kind) return name;
  }
  return {};
}

std::optional<EventKind> KindOfRootElement(std::string_view local_name) {
  for (const auto& [k, name] : kRoots) {
    if (name == local_name) return k;
  }
  return std::nullopt;
}

std::span<const std::string_view> AllRootElements() { return kRootNames; }

}  // namespace slussen::xmldoc
