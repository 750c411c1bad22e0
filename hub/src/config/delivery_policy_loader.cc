#include "config/delivery_policy_loader.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/maintenance_window_reader.h"
#include "xml/quantities.h"

namespace slussen::config {
namespace {

using xml::Attr;
using xml::Diagnostics;
using xml::Tokens;

// A decimal as written in a config ("0.5", "1.5"), not std::to_string's "0.500000".
std::string Decimal(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// An xs:token attribute's value ("" when absent or empty).
std::string TokenAttr(const xmlNode* n, const char* name) {
  const auto t = Tokens(xml::AttrOr(n, name));
  return t.empty() ? std::string() : t[0];
}

std::string Quoted(const char* name) { return std::string("attribute '") + name + "': "; }

// A duration attribute over `out`; a malformed one is reported and `out` kept.
template <class Duration>
void DurationAttr(const xmlNode* n, const char* name, Duration& out, Diagnostics& diag) {
  std::chrono::milliseconds d{0};
  if (!config::DurationAttr(n, name, d, diag)) return;
  if constexpr (std::is_same_v<Duration, std::chrono::seconds>) {
    if (d.count() % 1000 != 0) {
      diag.Add(n, Quoted(name) + "'" + *Attr(n, name) + "' is not a whole number of seconds");
      return;
    }
  }
  out = std::chrono::duration_cast<Duration>(d);
}

void DecimalAttr(const xmlNode* n, const char* name, double& out, Diagnostics& diag) {
  const auto raw = Attr(n, name);
  if (!raw) return;
  if (const auto v = xml::ParseDecimal(*raw)) {
    out = *v;
  } else {
    diag.Add(n, Quoted(name) + "'" + *raw + "' is not a decimal number");
  }
}

// One of two keywords; `out` is kept when absent or neither (reported).
template <class Enum>
void ChoiceAttr(const xmlNode* n, const char* name, const char* first, Enum first_value,
                const char* second, Enum second_value, Enum& out, Diagnostics& diag) {
  const auto raw = Attr(n, name);
  if (!raw) return;
  const auto t = Tokens(*raw);
  if (t.size() == 1 && t[0] == first) {
    out = first_value;
  } else if (t.size() == 1 && t[0] == second) {
    out = second_value;
  } else {
    diag.Add(n, Quoted(name) + "'" + *raw + "' is neither \"" + first + "\" nor \"" + second +
                    "\"");
  }
}

int CountAttr(const xmlNode* n, const char* name, int fallback, Diagnostics& diag) {
  return static_cast<int>(std::min<uint64_t>(
      xml::NumberAttr(n, name, static_cast<uint64_t>(fallback), diag), INT_MAX));
}

void ApplyRetry(const xmlNode* n, RetryPolicy& r, Diagnostics& diag) {
  DurationAttr(n, "initial-delay", r.initial_delay, diag);
  DecimalAttr(n, "multiplier", r.multiplier, diag);
  DurationAttr(n, "max-delay", r.max_delay, diag);
  DecimalAttr(n, "jitter", r.jitter, diag);
  r.max_attempts = CountAttr(n, "max-attempts", r.max_attempts, diag);
  DurationAttr(n, "max-age", r.max_age, diag);
  ChoiceAttr(n, "modified-undeliverable", "dead-letter", RetryPolicy::Modified::kDeadLetter,
             "retry", RetryPolicy::Modified::kRetry, r.modified_undeliverable, diag);
}

void ApplyReceipt(const xmlNode* n, ReceiptPolicy& r, Diagnostics& diag) {
  DurationAttr(n, "timeout", r.timeout, diag);
  DurationAttr(n, "deadline-margin", r.deadline_margin, diag);
  if (Attr(n, "fallback")) r.fallback = TokenAttr(n, "fallback");
  ChoiceAttr(n, "during-window", "extend", ReceiptPolicy::DuringWindow::kExtend, "fallback",
             ReceiptPolicy::DuringWindow::kFallback, r.during_window, diag);
}

// The ranges a retry policy must keep, checked on the merged result so that an override of one
// attribute is checked against the values it inherits. Reported at `at`, prefixed by `who`.
void CheckRetry(const RetryPolicy& r, const xmlNode* at, const std::string& who,
                Diagnostics& diag) {
  if (r.initial_delay.count() <= 0) {
    diag.Add(at, who + ": retry initial-delay must be more than 0");
  }
  if (r.multiplier < 1) {
    diag.Add(at, who + ": retry multiplier " + Decimal(r.multiplier) +
                     " must be at least 1");
  }
  if (r.jitter < 0 || r.jitter >= 1) {
    diag.Add(at, who + ": retry jitter " + Decimal(r.jitter) +
                     " must be at least 0 and less than 1");
  }
  if (r.max_delay < r.initial_delay) {
    diag.Add(at, who + ": retry max-delay (" + FormatDuration(r.max_delay) +
                     ") is shorter than initial-delay (" + FormatDuration(r.initial_delay) + ")");
  }
}

// One layer of policy elements (a <defaults> or a receiver element) applied over `p`.
struct Layer {
  const xmlNode* owner = nullptr;    // the <defaults>, <kommun>, ... itself
  const xmlNode* retry = nullptr;
  const xmlNode* receipt = nullptr;  // only when it has a fallback attribute
};

class PolicyReader {
 public:
  PolicyReader(std::string_view ns, Diagnostics& diag) : ns_(ns), diag_(diag) {}

  // Applies the policy elements under `owner` over `p`; checks the merged retry values when
  // this layer changed them (and, for an override, only if its defaults were sound, so that
  // one mistake in the defaults is not reported again for every receiver).
  Layer Apply(const xmlNode* owner, const std::string& who, bool check, DeliveryPolicy& p) {
    Layer layer{owner, xml::Child(owner, ns_, "retry"), nullptr};
    if (layer.retry != nullptr) {
      ApplyRetry(layer.retry, p.retry, diag_);
      if (check) CheckRetry(p.retry, layer.retry, who, diag_);
    }
    if (const xmlNode* receipt = xml::Child(owner, ns_, "receipt")) {
      ApplyReceipt(receipt, p.receipt, diag_);
      if (Attr(receipt, "fallback")) layer.receipt = receipt;
    }
    if (const xmlNode* flow = xml::Child(owner, ns_, "flow")) {
      p.in_flight = std::max(1, CountAttr(flow, "in-flight", p.in_flight, diag_));
    }
    for (const xmlNode* w : xml::Children(owner, ns_, "maintenance-window")) {
      if (auto window = ReadMaintenanceWindow(w, diag_)) p.windows.push_back(std::move(*window));
    }
    return layer;
  }

 private:
  std::string_view ns_;
  Diagnostics& diag_;
};

// Where each destination's policy came from, for the checks that need all of them.
struct Resolved {
  std::string id;
  Layer defaults;
  Layer own;
};

// A fallback must be another configured destination, and following fallbacks must never come
// back to where they started (an unanswered letter would otherwise be re-sent to the kommun).
void CheckFallbacks(const Config& cfg, const std::vector<Resolved>& resolved,
                    const std::vector<std::pair<const xmlNode*, std::string>>& defaults_fallbacks,
                    Diagnostics& diag) {
  for (const auto& [receipt, fallback] : defaults_fallbacks) {
    if (!fallback.empty() && !cfg.IsDestination(fallback)) {
      diag.Add(receipt, "receipt fallback '" + fallback + "' is not a configured destination");
    }
  }
  for (const Resolved& r : resolved) {
    const std::string& fallback = cfg.PolicyFor(r.id).receipt.fallback;
    if (fallback.empty()) continue;
    const xmlNode* at = r.own.receipt != nullptr ? r.own.receipt : r.defaults.receipt;
    if (r.own.receipt != nullptr && !cfg.IsDestination(fallback)) {
      diag.Add(at, r.id + ": receipt fallback '" + fallback + "' is not a configured destination");
      continue;
    }
    if (!cfg.IsDestination(fallback)) continue;  // reported once at the defaults
    if (fallback == r.id) {
      diag.Add(at, r.id + ": receipt fallback is the destination itself" +
                       std::string(r.own.receipt == nullptr
                                       ? " (inherited from the defaults; override it with "
                                         "<receipt fallback=\"\"/> in its own element)"
                                       : ""));
      continue;
    }
    // Follow the chain; report a cycle once, from its smallest id.
    std::string path = r.id;
    std::set<std::string> seen{r.id};
    std::string at_id = fallback;
    while (!at_id.empty() && cfg.IsDestination(at_id)) {
      path += " -> " + at_id;
      if (at_id == r.id) {
        if (std::all_of(seen.begin(), seen.end(), [&](const auto& s) { return r.id <= s; })) {
          diag.Add(at, r.id + ": receipt fallbacks go round in a circle: " + path);
        }
        break;
      }
      if (!seen.insert(at_id).second) break;  // a circle not through r.id: reported from it
      at_id = cfg.PolicyFor(at_id).receipt.fallback;
    }
  }
}

}  // namespace

void ReadDeliveryPolicies(const xmlNode* root, std::string_view ns, Config& cfg,
                          Diagnostics& diag) {
  PolicyReader reader(ns, diag);
  const char* kClasses[] = {"kommun", "vardcentral", "destination"};
  std::map<std::string, DeliveryPolicy> class_defaults;
  std::map<std::string, Layer> class_layers;
  std::map<std::string, bool> class_sound;
  std::vector<std::pair<const xmlNode*, std::string>> defaults_fallbacks;
  for (const char* c : kClasses) {
    class_defaults[c] = DeliveryPolicy{};
    class_sound[c] = true;
  }
  for (const xmlNode* d : xml::Children(xml::Child(root, ns, "delivery"), ns, "defaults")) {
    const std::string for_class = TokenAttr(d, "for");
    if (class_defaults.count(for_class) == 0) {
      diag.Add(d, "attribute 'for': '" + for_class +
                      "' is none of \"kommun\", \"vardcentral\", \"destination\"");
      continue;
    }
    const std::size_t errors_before = diag.size();
    class_layers[for_class] =
        reader.Apply(d, "delivery defaults for " + for_class, true, class_defaults[for_class]);
    class_sound[for_class] = diag.size() == errors_before;
    if (class_layers[for_class].receipt != nullptr) {
      defaults_fallbacks.emplace_back(class_layers[for_class].receipt,
                                      class_defaults[for_class].receipt.fallback);
    }
  }

  std::vector<Resolved> resolved;
  auto resolve = [&](const xmlNode* n, const std::string& id, const char* cls) {
    if (!cfg.IsDestination(id)) return;  // its element was refused, and reported
    DeliveryPolicy policy = class_defaults[cls];
    Layer own = reader.Apply(n, id, class_sound[cls], policy);
    cfg.delivery_policies[id] = std::move(policy);
    resolved.push_back({id, class_layers[cls], own});
  };
  for (const xmlNode* k : xml::Children(xml::Child(root, ns, "kommuner"), ns, "kommun")) {
    resolve(k, "kommun-" + xml::AttrOr(k, "kod"), "kommun");
  }
  for (const xmlNode* v :
       xml::Children(xml::Child(root, ns, "vardcentraler"), ns, "vardcentral")) {
    resolve(v, "vc-" + xml::AttrOr(v, "hsa-id"), "vardcentral");
  }
  for (const xmlNode* d :
       xml::Children(xml::Child(root, ns, "destinations"), ns, "destination")) {
    resolve(d, xml::AttrOr(d, "id"), "destination");
  }
  CheckFallbacks(cfg, resolved, defaults_fallbacks, diag);
}

}  // namespace slussen::config
