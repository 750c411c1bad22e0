#include "config/minimum_dataset_loader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "wire/event_kind.h"
#include "wire/field_path.h"

namespace slussen::config {
namespace {

using xml::AttrOr;
using xml::Diagnostics;
using xml::Tokens;

// The destination ids a rule covers; empty (and reported) if it names none properly.
std::vector<std::string> Targets(const xmlNode* strip, const Config& cfg, Diagnostics& diag) {
  const auto role = xml::Attr(strip, "role");
  const auto named = xml::Attr(strip, "destination");
  std::vector<std::string> out;
  if (role.has_value() == named.has_value()) {
    diag.Add(strip, "strip: give either role (kommun, vardcentral or destination) or "
                    "destination (ids), not both and not neither");
    return out;
  }
  if (role == "kommun") {
    for (const auto& k : cfg.kommuner) out.push_back(k.destination);
  } else if (role == "vardcentral") {
    for (const auto& v : cfg.vardcentraler) out.push_back(v.destination);
  } else if (role == "destination") {
    for (const auto& d : cfg.destinations) out.push_back(d.id);
  } else {
    for (const auto& id : Tokens(*named)) {
      if (cfg.IsDestination(id)) {
        out.push_back(id);
      } else {
        diag.Add(strip, "strip: destination '" + id + "' is not configured");
      }
    }
  }
  return out;
}

}  // namespace

void ReadMinimumDataset(const xmlNode* root, std::string_view ns, Config& cfg,
                        Diagnostics& diag) {
  for (const xmlNode* strip :
       xml::Children(xml::Child(root, ns, "minimum-dataset"), ns, "strip")) {
    std::vector<EventKind> kinds;
    for (const auto& name : Tokens(AttrOr(strip, "event"))) {
      if (auto kind = EventKindFromName(name)) {
        kinds.push_back(*kind);
      } else {
        diag.Add(strip, "strip: unknown event kind '" + name + "'");
      }
    }
    // Every path is checked for every kind, so that a misspelt one is an error even when the
    // rule covers no destination.
    std::vector<std::string> paths;
    for (const auto& path : Tokens(AttrOr(strip, "fields"))) {
      bool ok = true;
      for (EventKind kind : kinds) {
        if (const std::string problem = StrippablePathProblem(kind, path); !problem.empty()) {
          diag.Add(strip, "strip for " + std::string(EventKindName(kind)) + ": " + problem);
          ok = false;
        }
      }
      if (ok) paths.push_back(path);
    }
    for (const std::string& destination : Targets(strip, cfg, diag)) {
      DeliveryPolicy& policy = cfg.delivery_policies[destination];
      for (EventKind kind : kinds) {
        auto& fields = policy.strip[std::string(EventKindName(kind))];
        for (const auto& path : paths) {
          if (std::find(fields.begin(), fields.end(), path) == fields.end()) fields.push_back(path);
        }
      }
    }
  }
}

}  // namespace slussen::config
