#pragma once
// A WriteBatch as bytes, for the journal (journal_file.h): everything the batch holds, so that
// replaying a journaled batch against the database it was first applied to gives the same rows.
//
// Format: a version byte, then every field in declaration order (integers as varints, zigzag for
// signed; strings and vectors length-prefixed; since version 2 a hash or patient key as its
// length times two plus one, then the 32 bytes its hex spells, or as its length times two, then
// the text, when it is not lowercase hex). kBatchCodecVersion changes with any field; a record of
// a version this build does not read is refused with a clear error (a cleanly stopped hub leaves
// nothing in its journal to replay, so an upgrade after a clean stop never meets one). Version 1
// records are still read.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/store.h"

namespace slussen {

inline constexpr uint8_t kBatchCodecVersion = 2;

std::string EncodeBatch(const WriteBatch& batch);
// kCorruption on anything that is not a whole batch of this version.
Result<WriteBatch> DecodeBatch(std::string_view bytes);

}  // namespace slussen
