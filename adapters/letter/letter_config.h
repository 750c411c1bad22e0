#pragma once
// What the letter adapter is configured with, besides its hub connection: the sending hospital,
// one Recipient per destination id whose letters it sends, the spool and the send command. The
// adapter's config loader (with the adapter runtime) fills it; ValidateLetterConfig checks it once
// at startup, so that nothing wrong in it first shows as a failed letter.
#include <string>
#include <string_view>
#include <vector>

#include "adapters/letter/command_sender.h"
#include "adapters/letter/letter.h"
#include "adapters/letter/spool.h"
#include "common/result.h"

namespace slussen::adapters::letter {

struct LetterConfig {
  SendingHospital hospital;
  std::vector<Recipient> recipients;
  SpoolOptions spool;
  CommandSenderOptions command;
};

// Every problem, one per line ("recipient 2 (vc-SE…): no postal address"), kInvalidArgument:
// no hospital name; no recipients; a recipient id that IsSafeFileToken refuses or that occurs
// twice; a recipient without unit name or address; a fax number without digits; a command that
// uses {fax} while a recipient has no fax number (each of its letters would fail for ever); a
// command template CommandSender::Create refuses; an empty spool dir, a negative keep_sent or a
// keep_unsent under an hour. Does not touch the file system (Spool::Open does).
Status ValidateLetterConfig(const LetterConfig& config);

// The recipient configured for `destination_id`, or nullptr.
const Recipient* FindRecipient(const LetterConfig& config, std::string_view destination_id);

}  // namespace slussen::adapters::letter
