#pragma once
// A WriteBatch as bytes, for the journal (journal_file.h): everything the batch holds, so that
// replaying a journaled batch against the database it was first applied to gives the same rows.
//
// Format: a version byte, then every field in declaration order (integers as varints, zigzag for
// signed; strings and vectors length-prefixed). kBatchCodecVersion changes with any field; a
// journal of another version is refused at open with a clear error (a cleanly stopped hub leaves
// nothing in its journal to replay, so an upgrade after a clean stop never meets one).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/store.h"

namespace slussen {

inline constexpr uint8_t kBatchCodecVersion = 1;

std::string EncodeBatch(const WriteBatch& batch);
// kCorruption on anything that is not a whole batch of this version.
Result<WriteBatch> DecodeBatch(std::string_view bytes);

}  // namespace slussen
