#include "facts/facts_cache.h"

#include "facts/hashing.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 2: the entry is CBOR with the facts embedded as a value (1 was JSON text with the
// facts as a string: parsing it twice dominated a warm run).
constexpr int kCacheVersion = 2;

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

struct Stamp {
  long long size = -1;
  long long mtime = 0;
};

Stamp stampOf(const std::string &path) {
  std::error_code ec;
  Stamp s;
  auto size = fs::file_size(path, ec);
  if (ec) return s;
  auto time = fs::last_write_time(path, ec);
  if (ec) return s;
  s.size = static_cast<long long>(size);
  s.mtime = static_cast<long long>(time.time_since_epoch().count());
  return s;
}

} // namespace

std::string contentHash(const std::string &bytes) { return hex64(fnv1a(bytes)); }

std::string FactsCache::entryPath(const std::string &file, const std::string &command) const {
  return (fs::path(dir_) / (hex64(fnv1a(command, fnv1a(file))) + ".cbor")).string();
}

bool FactsCache::lookup(const std::string &file, const std::string &command, TUFacts &out) const {
  std::string text;
  if (!readFile(entryPath(file, command), text)) return false;
  try {
    json entry = json::from_cbor(text);
    if (entry.at("cache_version") != kCacheVersion || entry.at("salt") != salt_ || entry.at("file") != file ||
        entry.at("command") != command)
      return false;
    for (const auto &dep : entry.at("deps")) {
      std::string path = dep.at(0);
      Stamp now = stampOf(path);
      if (now.size < 0) return false;
      if (now.size == dep.at(1).get<long long>() && now.mtime == dep.at(2).get<long long>()) continue;
      std::string bytes;
      if (!readFile(path, bytes) || contentHash(bytes) != dep.at(3).get<std::string>()) return false;
    }
    std::string error;
    return factsFromDocument(entry.at("facts"), out, error);
  } catch (const std::exception &) {
    return false; // corrupted: treated as a miss and rewritten
  }
}

void FactsCache::store(const std::string &file, const std::string &command, const TUFacts &facts,
                       const std::vector<std::string> &deps) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return;
  json depList = json::array();
  for (const auto &path : deps) {
    std::string bytes;
    Stamp s = stampOf(path);
    if (s.size < 0 || !readFile(path, bytes)) return; // cannot vouch for it: do not cache
    depList.push_back({path, s.size, s.mtime, contentHash(bytes)});
  }
  json entry = {{"cache_version", kCacheVersion}, {"salt", salt_}, {"file", file}, {"command", command},
                {"deps", depList}, {"facts", factsToDocument(facts)}};
  // Write to a temporary name and rename: readers never see half an entry.
  std::string path = entryPath(file, command);
  std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "." + hex64(fnv1a(file));
  {
    std::ofstream out(tmp, std::ios::binary);
    std::vector<std::uint8_t> bytes = json::to_cbor(entry);
    out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) return;
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

} // namespace lockcheck
