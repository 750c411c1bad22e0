#include "store/store_factory.h"

#include "common/file_group.h"

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_store_reader.h"

namespace slussen {
namespace {
Error UnknownBackend(const StoreConfig& config) {
  return Error{"store backend '" + config.backend + "' is not known to this build (known: sqlite)",
               ErrorCode::kInvalidArgument};
}
}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const StoreConfig& config) {
  if (config.backend != "sqlite") return UnknownBackend(config);
  auto store = SqliteStore::Open(config.path, SqliteStore::JournalReserveBytes(config.max_bytes));
  if (!store) return store.as_error();
  if (!config.group.empty()) {
    // The write-ahead log, its index and the journal exist once the store is open; SQLite
    // creates them with the database file's mode, and this runs again at every start.
    const std::string& db = config.path;
    if (auto s = ShareWithGroup({db, db + "-wal", db + "-shm", SqliteStore::JournalPath(db)},
                                config.group);
        !s) {
      return s.as_error();
    }
  }
  return std::unique_ptr<Store>(std::move(*store));
}

Result<std::unique_ptr<StoreReader>> OpenStoreReader(const StoreConfig& config) {
  if (config.backend != "sqlite") return UnknownBackend(config);
  auto reader = SqliteStoreReader::Open(config.path);
  if (!reader) return reader.as_error();
  return std::unique_ptr<StoreReader>(std::move(*reader));
}

int StoreSchemaVersion(const StoreConfig&) { return SqliteStore::SchemaVersion(); }

}  // namespace slussen
