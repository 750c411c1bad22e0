#pragma once
// Writes for tests that read the store through a connection of their own (StoreReader,
// SqliteStoreReader, raw SQL): Write() is durable on return, but other connections see it only
// once flushed (store/store.h Store::Flush, hub/DESIGN.md "Durable write path").
#include "common/result.h"
#include "store/store.h"

namespace slussen::testing {

inline Status WriteFlushed(Store& store, const WriteBatch& batch) {
  if (auto s = store.Write(batch); !s) return s;
  return store.Flush();
}

}  // namespace slussen::testing
