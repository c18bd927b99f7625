#include "driver/depfile.h"

#include <algorithm>
#include <filesystem>

namespace lockcheck {
namespace {

std::string escaped(const std::string &path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    else if (c == '$') out += '$';
    out += c;
  }
  return out;
}

} // namespace

std::string depfileText(const std::string &target, std::vector<std::string> inputs) {
  // Clang's names for system headers can read "/../lib/gcc/.../../../../include/c++/12/x",
  // which the kernel resolves through symlinks but ninja shortens lexically to a path that
  // does not exist (and would rebuild forever): write the resolved path.
  for (auto &input : inputs) {
    std::error_code ec;
    std::filesystem::path real = std::filesystem::canonical(input, ec);
    if (!ec) input = real.string();
  }
  std::sort(inputs.begin(), inputs.end()); // same TU, same bytes
  std::string text = escaped(target) + ":";
  for (const auto &input : inputs) text += " \\\n  " + escaped(input);
  return text + "\n";
}

} // namespace lockcheck
