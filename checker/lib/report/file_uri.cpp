#include "report/file_uri.h"

#include <cctype>
#include <cstdio>
#include <filesystem>

namespace lockcheck {

std::string percentEncode(const std::string &path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string fileUri(const std::string &path) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::absolute(p, ec);
  return "file://" + percentEncode(p.lexically_normal().generic_string());
}

bool pathFromFileUri(const std::string &uri, std::string &path) {
  const std::string scheme = "file://";
  if (uri.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = uri.substr(scheme.size());
  size_t slash = rest.find('/'); // "file://host/path": only the local host is ours
  if (slash == std::string::npos) return false;
  std::string host = rest.substr(0, slash);
  if (!host.empty() && host != "localhost") return false;
  path.clear();
  for (size_t i = slash; i < rest.size(); ++i) {
    if (rest[i] != '%') {
      path += rest[i];
      continue;
    }
    if (i + 2 >= rest.size() || !std::isxdigit(static_cast<unsigned char>(rest[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(rest[i + 2])))
      return false;
    path += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return true;
}

} // namespace lockcheck
