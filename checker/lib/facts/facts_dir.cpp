#include "facts/facts_dir.h"

#include "facts/hashing.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace lockcheck {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kExtension = ".lcfacts";
constexpr size_t kHashDigits = 16;

bool writeAll(int fd, const std::string &bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

std::string pluginFactsPath(const std::string &dir, const std::string &source, const std::string &object) {
  fs::path relative = fs::path(source).lexically_normal().relative_path(); // the source, mirrored below dir
  return (fs::path(dir) / relative).string() + "." + hex64(fnv1a(object)) + std::string(kExtension);
}

bool isPluginFactsDir(const std::string &dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kPluginFactsMarker, ec);
}

bool preparePluginFactsDir(const std::string &dir, std::string &error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create directory '" + dir + "': " + ec.message();
    return false;
  }
  if (isPluginFactsDir(dir)) return true;
  // Every compile may get here at once; they all write the same bytes.
  return writeFileAtomically((fs::path(dir) / kPluginFactsMarker).string(),
                             "Facts written by lockcheck's Clang plugin; `lockcheck link` this directory.\n", error);
}

std::string pluginFactsSource(const std::string &dir, const std::string &factsPath) {
  fs::path base = fs::path(dir).lexically_normal();
  if (base.has_relative_path() && base.filename().empty()) base = base.parent_path(); // "facts/"
  std::string name = fs::path(factsPath).lexically_normal().lexically_relative(base).string();
  const size_t suffix = 1 + kHashDigits + kExtension.size(); // ".<hash>.lcfacts"
  if (name.empty() || name.rfind("..", 0) == 0 || name.size() <= suffix || name[name.size() - suffix] != '.' ||
      name.compare(name.size() - kExtension.size(), kExtension.size(), kExtension) != 0)
    return {};
  std::string_view hash(name.data() + name.size() - suffix + 1, kHashDigits);
  if (hash.find_first_not_of("0123456789abcdef") != std::string_view::npos) return {};
  std::string source = "/"; // (not "/" + substr(): GCC 12 warns on that, -Wstringop-overflow)
  source.append(name, 0, name.size() - suffix);
  return source;
}

bool writeFileAtomically(const std::string &path, const std::string &bytes, std::string &error) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write '" + temp + "': " + std::strerror(errno);
    return false;
  }
  bool written = writeAll(fd, bytes);
  int savedErrno = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    savedErrno = errno;
  }
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (written) savedErrno = errno;
    ::unlink(temp.c_str());
    error = "cannot write '" + path + "': " + std::strerror(savedErrno);
    return false;
  }
  return true;
}

} // namespace lockcheck
