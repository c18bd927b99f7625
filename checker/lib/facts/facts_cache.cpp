#include "facts/facts_cache.h"

#include "facts/hashing.h"
#include "support/bounded_read.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 4: the key holds the frontend's command line; inputs include what __has_include found.
// 3: the file is a 16-hex-digit checksum of the CBOR payload that follows; inputs carry
// one stat stamp; absent paths (2 was CBOR without a checksum; 1 JSON text).
constexpr int kCacheVersion = 4;
constexpr size_t kChecksumSize = 16;

// Inputs are regular files (stampOf): their size is known before they are read.
bool readFile(const std::string &path, std::string &out) {
  std::string why;
  return readBounded(path, SIZE_MAX, out, why);
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
  // Not a regular file (a header replaced by a device or a pipe): nothing to vouch for.
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return s;
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

// Creates `path` holding `head` then `body`; false with the system's reason (ENOSPC,
// EDQUOT, EIO) when any byte could not be written, including at close.
bool writeWhole(const std::string &path, std::string_view head, std::string_view body, std::string &why) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  bool ok = true;
  for (std::string_view part : {head, body})
    while (ok && !part.empty()) {
      ssize_t n = ::write(fd, part.data(), part.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        why = std::strerror(n < 0 ? errno : ENOSPC);
        ok = false;
      } else {
        part.remove_prefix(static_cast<size_t>(n));
      }
    }
  if (::close(fd) != 0 && ok) {
    why = std::strerror(errno);
    ok = false;
  }
  return ok;
}

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
  std::string text, why;
  if (!readBounded(entryPath(file, command), kFactsFileLimit, text, why) || text.size() < kChecksumSize) return false;
  std::string_view payload = std::string_view(text).substr(kChecksumSize);
  if (text.compare(0, kChecksumSize, contentHash(payload)) != 0) return false; // altered: rewritten
  try {
    // The checksum only tells an accident from an entry as written: a hostile one (nested
    // 100,000 deep) must be a miss too, not a stack overflow in the CBOR reader.
    json entry;
    if (strict_json::Error e; !strict_json::parseCbor(payload, entry, e)) return false;
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
  json entry = {{"cache_version", kCacheVersion}, {"salt", salt_},           {"file", file},
                {"command", command},             {"deps", depList},         {"absent", absentList},
                {"facts", factsToDocument(facts)}};
  std::vector<std::uint8_t> payload = json::to_cbor(entry);
  std::string_view bytes(reinterpret_cast<const char *>(payload.data()), payload.size());
  // Write to a temporary name and rename: readers never see half an entry.
  std::string path = entryPath(file, command);
  std::string tmp = path + uniqueSuffix(file);
  std::string why;
  if (writeWhole(tmp, contentHash(bytes), bytes, why)) {
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (!ec) return;
    why = ec.message();
  }
  std::error_code ec;
  fs::remove(tmp, ec); // a full disk leaves no half-written entry behind
  // Once per cache, also under --quiet: a gate whose cache never fills is slow for a reason.
  if (!warned_.exchange(true))
    std::cerr << "lockcheck: warning: cannot store results in the cache in '" << dir_ << "' (" << why
              << "); the run goes on, and files whose results are not stored are analysed again next time\n";
}

} // namespace lockcheck
