#pragma once
// Opens a store backend from config: the one place that knows which backends exist. The hub's
// composition root (hub/main.cc) and tools use these; the core and delivery see only the
// interfaces (store.h, store_reader.h) and never link a backend.
#include <memory>
#include <string>

#include "common/result.h"
#include "store/store.h"
#include "store/store_reader.h"

namespace slussen {

struct StoreConfig {
  std::string backend = "sqlite";  // the only one today; "postgresql" next
  std::string path;                // sqlite: the database file
  // A group that may read the store: its files get this group and mode 0640 when the writer
  // opens it; empty: they stay the writer's alone (0600 under the hub's umask).
  std::string group = {};
  // <store max-bytes> (0: unbounded): what the backend reserves ahead on disk stays well below it.
  uint64_t max_bytes = 0;
};

// The writer, for the core: creates and migrates as needed, and shares the files with
// `group`. kInvalidArgument for an unknown backend; kUnavailable for a group that does not exist
// or that the hub may not give its files to.
Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

// A read-only reader on its own connection; never creates or migrates anything.
Result<std::unique_ptr<StoreReader>> OpenStoreReader(const StoreConfig& config);

// The schema version the backend of this build writes, for --version.
int StoreSchemaVersion(const StoreConfig& config);

}  // namespace slussen
