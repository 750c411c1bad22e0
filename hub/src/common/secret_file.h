#pragma once
// A secret kept in a file (a SASL password, the log-pseudonym key): a regular file of at most
// `max_bytes`, not readable by group or others (as ssh insists for keys), its trailing newlines
// dropped. The error says why, never what the file holds.
#include <string>

#include "common/result.h"

namespace slussen {

Result<std::string> ReadSecretFile(const std::string& path, std::size_t max_bytes = 4096);

}  // namespace slussen
