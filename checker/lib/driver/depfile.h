// Makefile-syntax dependency file for `lockcheck extract --depfile`: lets ninja/make
// (CMake integration, docs/cmake.md) rerun an extract when a header it read changes.
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

// "TARGET: INPUT..." (sorted) with spaces, '#' and '$' escaped as GCC's -MF does.
std::string depfileText(const std::string &target, std::vector<std::string> inputs);

} // namespace lockcheck
