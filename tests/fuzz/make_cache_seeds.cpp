// Seeds for the cache_entry fuzzer: each facts file given becomes the CBOR payload of a
// cache entry stored as the fuzzer looks one up (its salt, file and command).
//   make_cache_seeds OUT_DIR FACTS.lcfacts...
#include "facts/facts_cache.h"
#include "support/bounded_read.h"

#include <filesystem>
#include <fstream>
#include <iostream>

using namespace lockcheck;

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: make_cache_seeds OUT_DIR FACTS...\n";
    return 2;
  }
  std::string scratch = std::filesystem::temp_directory_path() / "lockcheck-cache-seeds";
  std::filesystem::create_directories(scratch);
  FactsCache cache(scratch, "fuzz-salt");
  for (int i = 2; i < argc; ++i) {
    std::string text, why, error;
    TUFacts facts;
    if (!readBounded(argv[i], kFactsFileLimit, text, why) || !factsFromJson(text, facts, error)) {
      std::cerr << argv[i] << ": " << why << error << "\n";
      return 2;
    }
    cache.store("/fuzz/a.cpp", "fuzz-command", facts);
    std::string entry;
    if (!readBounded(cache.entryPath("/fuzz/a.cpp", "fuzz-command"), kFactsFileLimit, entry, why)) return 2;
    std::ofstream(std::filesystem::path(argv[1]) / std::filesystem::path(argv[i]).stem().concat(".cbor"),
                  std::ios::binary)
        << entry.substr(16); // the payload, without its checksum
  }
  std::filesystem::remove_all(scratch);
  return 0;
}
