#pragma once
// Files and directories for tests and the benchmark: whole-file reads and writes, log tails, and
// scratch directories. No GoogleTest here (the benchmark links it); TempDir (temp_dir.h) adds the
// test-aware cleanup on top.
#include <cstddef>
#include <filesystem>
#include <string>

namespace slussen::testing {

// Writes `content` to `path` (truncating); throws std::runtime_error on failure.
void WriteFile(const std::string& path, const std::string& content);
// The whole file, or "" if it cannot be read.
std::string ReadFile(const std::string& path);
// At most the last `max_bytes` of the file (for showing log tails), with a note of what was left
// out; "" if it cannot be read.
std::string ReadFileTail(const std::string& path, std::size_t max_bytes = 8192);

// A new, unique directory `parent`/`prefix`XXXXXX (parent created if missing); "" on failure.
std::string MakeTempDir(const std::string& parent, const std::string& prefix);
// Removes `dir` and everything below it; nothing if `dir` is empty or already gone.
void RemoveTree(const std::string& dir);

// The repository root, for the shipped config, agreements and timelines: SLUSSEN_SOURCE_DIR as
// the build generates it (build_paths/source_dir.h).
std::filesystem::path SourceDir();

}  // namespace slussen::testing
