// libFuzzer target: the hub's config loader (config/config_loader.h) on the fuzz input as the
// config file: XML parse, schema validation, cross-reference checks. LoadConfig reads only from a
// path, so each input is written to one file in a private temporary directory (in which
// agreements/ is the repository's config/agreements, as next to the demo config). Beyond the
// sanitizers: a refusal always says why.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config_loader.h"
#include "build_paths/source_dir.h"

namespace {

const std::string& ConfigPath() {
  static const std::string path = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "fuzz_config.XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    // The demo's agreement path is relative to the config file: let it resolve, so that seeds
    // get past the cross-reference stage.
    std::filesystem::create_directory_symlink(SLUSSEN_SOURCE_DIR "/config/agreements",
                                              dir + "/agreements");
    static const std::string kept = dir;
    // The directory goes when the fuzzer exits normally.
    std::atexit([] { std::filesystem::remove_all(kept); });
    return dir + "/hub.xml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = ConfigPath();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
  }
  const auto config = slussen::LoadConfig(path);
  if (!config && config.error().empty()) {
    std::fprintf(stderr, "fuzz_config: a refusal without a message\n");
    std::abort();
  }
  return 0;
}
