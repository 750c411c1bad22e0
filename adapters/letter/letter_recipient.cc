#include "adapters/letter/letter_recipient.h"

namespace slussen::adapters::letter {
namespace {

std::string Property(const std::map<std::string, std::string>& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

}  // namespace

Result<RecipientChoice> ChooseRecipient(const LetterAdapterConfig& config,
                                        const std::map<std::string, std::string>& properties,
                                        const slussen::v1::Envelope& event) {
  RecipientChoice choice;
  choice.reason = Property(properties, "reason");
  const std::string for_destination = Property(properties, "for_destination");
  if (!for_destination.empty()) {
    choice.recipient = FindRecipient(config.letter, for_destination);
    if (choice.recipient == nullptr) {
      return Error{"no recipient configured for " +
                       (IsSafeFileToken(for_destination) ? for_destination
                                                         : std::string("an unnamable destination")) +
                       ", whose delivery this letter stands in for",
                   ErrorCode::kNotFound};
    }
    choice.how = "for_destination";
    return choice;
  }

  // Routed to letter directly: the hub gives no one to stand in for.
  std::string tried;
  const std::string& kod = event.patient().kommunkod();
  if (!kod.empty()) {
    const std::string kommun = "kommun-" + kod;
    if (IsSafeFileToken(kommun)) {
      choice.recipient = FindRecipient(config.letter, kommun);
      tried = kommun;
    }
    if (choice.recipient != nullptr) choice.how = "patient's kommun";
  }
  if (choice.recipient == nullptr && !config.default_recipient.empty()) {
    choice.recipient = FindRecipient(config.letter, config.default_recipient);
    if (choice.recipient != nullptr) choice.how = "default";
  }
  if (choice.recipient == nullptr) {
    return Error{"routed to letter without for_destination, and no recipient configured for " +
                     (tried.empty() ? std::string("the event (no kommun)") : tried) +
                     " and no default recipient",
                 ErrorCode::kNotFound};
  }
  if (choice.reason.empty()) {
    choice.reason = "sent as a letter by the hub's routing (not in place of an electronic "
                    "delivery); recipient " + choice.recipient->id + " (" + choice.how + ")";
  }
  return choice;
}

}  // namespace slussen::adapters::letter
