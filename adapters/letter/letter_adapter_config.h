#pragma once
// The config file of slussen-letter (schemas/adapters/letter.xsd, namespace
// urn:slussen:adapter:letter:1): the hub connection (<hub>, read by the adapter runtime), the
// receiving side (max-in-flight, workers), and the LetterConfig of the letter library (hospital,
// recipients, spool, command), checked with ValidateLetterConfig. Every problem is reported as
// "<file>:<line>: <message>"; nothing starts with a config that has one.
//
// Relative paths are relative to the config file's directory: the spool dir always, a command
// argument when it says relative-to="config" (the fake fax gateway's inbox in the demo).
#include <chrono>
#include <string>
#include <string_view>

#include "adapters/letter/letter_config.h"
#include "common/result.h"
#include "runtime/hub_connection_config.h"

namespace slussen {
// The schema with the adapters' common types spliced in (generated at build time).
std::string_view EmbeddedLetterXsd();
}  // namespace slussen

namespace slussen::adapters::letter {

inline constexpr std::string_view kLetterConfigNamespace = "urn:slussen:adapter:letter:1";
// The hub address the adapter reads.
inline constexpr char kLetterAddress[] = "out/letter";

struct LetterAdapterConfig {
  adapter::HubConnectionConfig hub;
  LetterConfig letter;
  int max_in_flight = 8;  // deliveries of out/letter unsettled at once
  int workers = 2;        // threads that render and send (each blocks while its command runs)
  std::chrono::milliseconds cleanup_interval = std::chrono::hours(1);
  // For a letter routed to letter directly (no for_destination) whose patient's kommun has no
  // recipient: this recipient's id; empty: such a letter is rejected.
  std::string default_recipient;
};

// Reads, validates and checks `path`. kInvalidArgument with one problem per line.
Result<LetterAdapterConfig> LoadLetterAdapterConfig(const std::string& path);

}  // namespace slussen::adapters::letter
