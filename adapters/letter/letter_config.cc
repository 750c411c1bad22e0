#include "adapters/letter/letter_config.h"

#include <set>

namespace slussen::adapters::letter {

Status ValidateLetterConfig(const LetterConfig& c) {
  std::vector<std::string> problems;
  if (c.hospital.name.empty()) problems.push_back("sending hospital: no name");
  if (c.recipients.empty()) problems.push_back("no recipients configured");
  bool uses_fax = false;
  for (const auto& arg : c.command.argv) uses_fax = uses_fax || arg.find("{fax}") != std::string::npos;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < c.recipients.size(); ++i) {
    const Recipient& r = c.recipients[i];
    const std::string at = "recipient " + std::to_string(i + 1) +
                           (IsSafeFileToken(r.id) ? " (" + r.id + ")" : "");
    if (!IsSafeFileToken(r.id)) {
      problems.push_back(at + ": id must be 1-64 characters of [A-Za-z0-9._-], not starting with '.'");
    } else if (!ids.insert(r.id).second) {
      problems.push_back(at + ": configured twice");
    }
    if (r.unit_name.empty()) problems.push_back(at + ": no unit name");
    if (r.address_lines.empty()) problems.push_back(at + ": no postal address");
    if (!r.fax.empty() && r.fax.find_first_of("0123456789") == std::string::npos) {
      problems.push_back(at + ": fax number has no digits");
    }
    if (uses_fax && r.fax.empty()) {
      problems.push_back(at + ": no fax number, but the send command uses {fax}");
    }
  }
  if (Result<CommandSender> s = CommandSender::Create(c.command); !s.ok()) {
    problems.push_back("send command: " + s.error());
  }
  if (c.spool.dir.empty()) problems.push_back("spool: no directory");
  if (c.spool.keep_sent.count() < 0) problems.push_back("spool: keep time for sent letters is negative");
  if (c.spool.keep_unsent < std::chrono::hours(1)) {
    problems.push_back("spool: keep time for unsent letters must be at least an hour");
  }
  if (problems.empty()) return OkStatus();
  std::string message;
  for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
  return Error{message, ErrorCode::kInvalidArgument};
}

const Recipient* FindRecipient(const LetterConfig& config, std::string_view destination_id) {
  for (const auto& r : config.recipients) {
    if (r.id == destination_id) return &r;
  }
  return nullptr;
}

}  // namespace slussen::adapters::letter
