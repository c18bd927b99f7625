#include "driver/depfile.h"

#include <algorithm>

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
  std::sort(inputs.begin(), inputs.end()); // same TU, same bytes
  std::string text = escaped(target) + ":";
  for (const auto &input : inputs) text += " \\\n  " + escaped(input);
  return text + "\n";
}

} // namespace lockcheck
