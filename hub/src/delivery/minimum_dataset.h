#pragma once
// The minimum dataset at send time (hub/DESIGN.md "Entitlements and minimum dataset"): each
// delivery loses the fields its destination's role is not entitled to, as DeliveryPolicy::strip
// names them for the event's kind. The store keeps every event as received; only what leaves the
// hub is cut, so a rule changed in the config applies to every delivery from then on, retries
// and re-routes included. A kind without a rule costs nothing: its body is not decoded.
#include "api/records.h"
#include "config/delivery_policy.h"

namespace slussen {

// Strips `item.body` for `policy`. False if a rule applies but the stored body does not decode
// (it was validated when it came, so this means a damaged store): then nothing of it is sent,
// the body is emptied, and the receiver's refusal makes the delivery dead for an operator to see.
bool ApplyMinimumDataset(const DeliveryPolicy& policy, OutboxItem& item);

}  // namespace slussen
