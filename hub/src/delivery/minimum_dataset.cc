#include "delivery/minimum_dataset.h"

#include "slussen/v1/events.pb.h"
#include "wire/field_path.h"

namespace slussen {

bool ApplyMinimumDataset(const DeliveryPolicy& policy, OutboxItem& item) {
  if (policy.strip.empty()) return true;
  const auto rule = policy.strip.find(item.kind);
  if (rule == policy.strip.end() || rule->second.empty()) return true;
  v1::Envelope envelope;
  if (!envelope.ParseFromString(item.body)) {
    item.body.clear();
    return false;
  }
  bool stripped = false;
  for (const auto& path : rule->second) stripped |= ClearFieldPath(envelope, path);
  // Nothing of it was there: the stored bytes go out unchanged.
  if (stripped) item.body = envelope.SerializeAsString();
  return true;
}

}  // namespace slussen
