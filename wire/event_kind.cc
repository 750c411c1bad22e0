#include "wire/event_kind.h"

#include <array>
#include <utility>

namespace slussen {
namespace {
using v1::Envelope;
constexpr std::array<std::pair<EventKind, std::string_view>, 13> kNames{{
    {EventKind::kInskrivningsmeddelande, "Inskrivningsmeddelande"},
    {EventKind::kEstimatedDischargeChanged, "EstimatedDischargeChanged"},
    {EventKind::kPlaneringsunderlag, "Planeringsunderlag"},
    {EventKind::kPlaneringsunderlagSvar, "PlaneringsunderlagSvar"},
    {EventKind::kUtskrivningsklar, "Utskrivningsklar"},
    {EventKind::kUtskrivningsklarWithdrawn, "UtskrivningsklarWithdrawn"},
    {EventKind::kKallelseSip, "KallelseSip"},
    {EventKind::kUtskrivningsmeddelande, "Utskrivningsmeddelande"},
    {EventKind::kReceipt, "Receipt"},
    {EventKind::kCancellation, "Cancellation"},
    {EventKind::kClockStopper, "ClockStopper"},
    {EventKind::kUtskrivning, "Utskrivning"},
    {EventKind::kSipBedomning, "SipBedomning"},
}};
}  // namespace

std::string_view EventKindName(EventKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "Unknown";
}

std::optional<EventKind> EventKindFromName(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

const std::vector<EventKind>& AllEventKinds() {
  static const std::vector<EventKind> all = [] {
    std::vector<EventKind> v;
    for (const auto& [k, n] : kNames) v.push_back(k);
    return v;
  }();
  return all;
}

bool MayEndAtHub(EventKind kind) {
  return kind == EventKind::kReceipt || kind == EventKind::kUtskrivning;
}

std::optional<EventKind> KindOf(const Envelope& env) {
  switch (env.event_case()) {
    case Envelope::kInskrivningsmeddelande: return EventKind::kInskrivningsmeddelande;
    case Envelope::kEstimatedDischargeChanged: return EventKind::kEstimatedDischargeChanged;
    case Envelope::kPlaneringsunderlag:
      switch (env.planeringsunderlag().direction()) {
        case v1::Planeringsunderlag::REQUEST: return EventKind::kPlaneringsunderlag;
        case v1::Planeringsunderlag::ANSWER: return EventKind::kPlaneringsunderlagSvar;
        default: return std::nullopt;
      }
    case Envelope::kUtskrivningsklar: return EventKind::kUtskrivningsklar;
    case Envelope::kUtskrivningsklarWithdrawn: return EventKind::kUtskrivningsklarWithdrawn;
    case Envelope::kKallelseSip: return EventKind::kKallelseSip;
    case Envelope::kUtskrivningsmeddelande: return EventKind::kUtskrivningsmeddelande;
    case Envelope::kReceipt: return EventKind::kReceipt;
    case Envelope::kCancellation: return EventKind::kCancellation;
    case Envelope::kClockStopper: return EventKind::kClockStopper;
    case Envelope::kUtskrivning: return EventKind::kUtskrivning;
    case Envelope::kSipBedomning: return EventKind::kSipBedomning;
    case Envelope::EVENT_NOT_SET: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace slussen
