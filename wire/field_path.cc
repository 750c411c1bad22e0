#include "wire/field_path.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <array>
#include <vector>

namespace slussen {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::array<std::string_view, 8> kNeverStripped = {
    "event_id", "case_id", "sender_hsa_id", "occurred_at", "schema_version", "replaces",
    "patient.identity", "planeringsunderlag.direction"};

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    out.push_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

// The Envelope's oneof member that carries events of `kind`.
int EventFieldNumber(EventKind kind) {
  switch (kind) {
    case EventKind::kInskrivningsmeddelande: return v1::Envelope::kInskrivningsmeddelande;
    case EventKind::kEstimatedDischargeChanged: return v1::Envelope::kEstimatedDischargeChanged;
    case EventKind::kPlaneringsunderlag:
    case EventKind::kPlaneringsunderlagSvar: return v1::Envelope::kPlaneringsunderlag;
    case EventKind::kUtskrivningsklar: return v1::Envelope::kUtskrivningsklar;
    case EventKind::kUtskrivningsklarWithdrawn: return v1::Envelope::kUtskrivningsklarWithdrawn;
    case EventKind::kKallelseSip: return v1::Envelope::kKallelseSip;
    case EventKind::kUtskrivningsmeddelande: return v1::Envelope::kUtskrivningsmeddelande;
    case EventKind::kReceipt: return v1::Envelope::kReceipt;
    case EventKind::kCancellation: return v1::Envelope::kCancellation;
    case EventKind::kClockStopper: return v1::Envelope::kClockStopper;
    case EventKind::kUtskrivning: return v1::Envelope::kUtskrivning;
    case EventKind::kSipBedomning: return v1::Envelope::kSipBedomning;
  }
  return 0;
}

std::string FieldNames(const Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (!out.empty()) out += ", ";
    out += d->field(i)->name();
  }
  return out;
}

// Whether `a` is `b` or a field inside it ("patient.identity.id" within "patient.identity").
bool Within(std::string_view a, std::string_view b) {
  return a == b || (a.size() > b.size() && a.substr(0, b.size()) == b && a[b.size()] == '.');
}

bool Clear(Message& m, const std::vector<std::string_view>& segments, std::size_t i) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(std::string(segments[i]));
  if (f == nullptr) return false;  // not a checked path
  if (i + 1 == segments.size()) {
    const bool present = f->is_repeated() ? r->FieldSize(m, f) > 0 : r->HasField(m, f);
    if (present) r->ClearField(&m, f);
    return present;
  }
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return false;
  bool cleared = false;
  if (f->is_repeated()) {
    for (int k = 0; k < r->FieldSize(m, f); ++k) {
      cleared |= Clear(*r->MutableRepeatedMessage(&m, f, k), segments, i + 1);
    }
  } else if (r->HasField(m, f)) {
    cleared = Clear(*r->MutableMessage(&m, f), segments, i + 1);
  }
  return cleared;
}

}  // namespace

std::string StrippablePathProblem(EventKind kind, std::string_view path) {
  const std::vector<std::string_view> segments = Split(path);
  const Descriptor* d = v1::Envelope::descriptor();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].empty()) return "'" + std::string(path) + "' is not a field path (a.b.c)";
    const FieldDescriptor* f = d->FindFieldByName(std::string(segments[i]));
    if (f == nullptr) {
      return "'" + std::string(path) + "': " + d->full_name() + " has no field '" +
             std::string(segments[i]) + "' (it has " + FieldNames(d) + ")";
    }
    if (i == 0 && f->containing_oneof() != nullptr) {
      if (f->number() != EventFieldNumber(kind)) {
        return "'" + std::string(path) + "': " + f->name() + " is not the event of " +
               std::string(EventKindName(kind));
      }
      if (segments.size() == 1) {
        return "'" + std::string(path) + "' is the event itself; name the fields of it that the "
               "role does not get";
      }
    }
    if (i + 1 < segments.size()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return "'" + std::string(path) + "': " + f->name() + " is not a message; it has no fields";
      }
      d = f->message_type();
    }
  }
  for (std::string_view kept : kNeverStripped) {
    if (Within(path, kept) || Within(kept, path)) {
      return "'" + std::string(path) + "' is never stripped: every receiver needs " +
             std::string(kept) + " to know what it got, about whom and from whom";
    }
  }
  return "";
}

bool ClearFieldPath(v1::Envelope& envelope, std::string_view path) {
  return Clear(envelope, Split(path), 0);
}

}  // namespace slussen
