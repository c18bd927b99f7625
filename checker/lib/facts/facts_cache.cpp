#include "facts/facts_cache.h"

#include "facts/hashing.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 3: the file is a 16-hex-digit checksum of the CBOR payload that follows; inputs carry
// one stat stamp; absent paths (2 was CBOR without a checksum; 1 JSON text).
constexpr int kCacheVersion = 3;
constexpr size_t kChecksumSize = 16;

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

// Size, inode, modification and change times in one value: any write, rename over or
// `touch` changes it. Empty when the file cannot be stat'ed.
struct Stamp {
  std::string value;
  bool racy = false; // changed so recently that another write could keep the same times
};

Stamp stampOf(const std::string &path) {
  struct stat st;
  Stamp s;
  if (::stat(path.c_str(), &st) != 0) return s;
  std::string raw = std::to_string(st.st_size) + "/" + std::to_string(st.st_ino) + "/" + std::to_string(st.st_dev) +
                    "/" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "/" +
                    std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
  s.value = hex64(fnv1a(raw));
  // File system clocks tick coarsely (jiffies, 2 s on FAT): a file changed in the last
  // seconds is checked by content next time, as git does for "racily clean" entries.
  auto now = std::chrono::system_clock::now().time_since_epoch();
  s.racy = std::chrono::duration_cast<std::chrono::seconds>(now).count() - st.st_ctim.tv_sec < 3;
  return s;
}

bool exists(const std::string &path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string uniqueSuffix(const std::string &file) { return ".tmp" + std::to_string(::getpid()) + "." + hex64(fnv1a(file)); }

} // namespace

std::string contentHash(std::string_view bytes) { return hex64(fnv1a(bytes)); }

std::string FactsCache::entryPath(const std::string &file, const std::string &command) const {
  return (fs::path(dir_) / (hex64(fnv1a(command, fnv1a(file))) + ".cbor")).string();
}

bool FactsCache::writable(std::string &why) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    why = ec.message();
    return false;
  }
  std::string probe = (fs::path(dir_) / ("probe" + uniqueSuffix(dir_))).string();
  bool ok = static_cast<bool>(std::ofstream(probe, std::ios::binary) << "x");
  if (!ok) why = std::string("cannot create files there: ") + std::strerror(errno);
  fs::remove(probe, ec);
  return ok;
}

bool FactsCache::lookup(const std::string &file, const std::string &command, TUFacts &out) const {
  std::string text;
  if (!readFile(entryPath(file, command), text) || text.size() < kChecksumSize) return false;
  std::string_view payload = std::string_view(text).substr(kChecksumSize);
  if (text.compare(0, kChecksumSize, contentHash(payload)) != 0) return false; // altered: rewritten
  try {
    json entry = json::from_cbor(payload);
    if (entry.at("cache_version") != kCacheVersion || entry.at("salt") != salt_ || entry.at("file") != file ||
        entry.at("command") != command)
      return false;
    for (const auto &dep : entry.at("deps")) {
      const std::string &path = dep.at(0).get_ref<const std::string &>();
      const std::string &stamp = dep.at(1).get_ref<const std::string &>();
      Stamp now = stampOf(path);
      if (now.value.empty()) return false;
      if (!stamp.empty() && now.value == stamp) continue;
      std::string bytes;
      if (!readFile(path, bytes) || contentHash(bytes) != dep.at(2).get<std::string>()) return false;
    }
    for (const auto &path : entry.at("absent"))
      if (exists(path.get<std::string>())) return false; // it would shadow an input now
    std::string error;
    if (!factsFromDocument(entry.at("facts"), out, error)) return false;
    if (keepInputs_) {
      for (const auto &dep : entry.at("deps")) out.inputs.push_back({dep.at(0).get<std::string>(), dep.at(2).get<std::string>()});
      out.absent = entry.at("absent").get<std::vector<std::string>>();
    }
    return true;
  } catch (const std::exception &) {
    return false; // corrupted: treated as a miss and rewritten
  }
}

void FactsCache::store(const std::string &file, const std::string &command, const TUFacts &facts) const {
  json depList = json::array();
  for (const auto &input : facts.inputs) {
    // Stamp, read, stamp again: the bytes hashed are those the stamp describes.
    Stamp before = stampOf(input.path);
    std::string bytes;
    if (before.value.empty() || !readFile(input.path, bytes)) return; // cannot vouch for it: do not cache
    std::string hash = contentHash(bytes);
    if (!input.hash.empty() && hash != input.hash) return; // edited since it was parsed
    Stamp after = stampOf(input.path);
    if (after.value != before.value) return;
    depList.push_back({input.path, before.racy ? std::string() : before.value, hash});
  }
  json absentList = json::array();
  for (const auto &path : facts.absent) {
    if (exists(path)) return; // appeared during the run: the lookup may have found it
    absentList.push_back(path);
  }
  json entry = {{"cache_version", kCacheVersion}, {"salt", salt_}, {"file", file},          {"command", command},
                {"deps", depList},                {"absent", absentList}, {"facts", factsToDocument(facts)}};
  std::vector<std::uint8_t> payload = json::to_cbor(entry);
  std::string_view bytes(reinterpret_cast<const char *>(payload.data()), payload.size());
  // Write to a temporary name and rename: readers never see half an entry.
  std::error_code ec;
  std::string path = entryPath(file, command);
  std::string tmp = path + uniqueSuffix(file);
  {
    std::ofstream out(tmp, std::ios::binary);
    out << contentHash(bytes) << bytes;
    if (!out) return;
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

} // namespace lockcheck
