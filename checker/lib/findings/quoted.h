// "'mu'": how every message quotes a lock or a name (the rules' messages, the link's trace notes).
#pragma once

#include <string>

namespace lockcheck {

inline std::string quoted(const std::string &s) { return "'" + s + "'"; }

} // namespace lockcheck
