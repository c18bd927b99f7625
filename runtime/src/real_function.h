// LOCKCHECK_REAL(fn): the next definition of fn (libc's, libpq's...), resolved on first use.
// A constant-initialised atomic per call site: no guard variable, no lock, safe before init.
#pragma once

#include "runtime_state.h"

#define LOCKCHECK_REAL_AS(type, name, version)                                                    \
  ([]() -> type {                                                                                 \
    static std::atomic<void *> slot{nullptr};                                                     \
    void *p = slot.load(std::memory_order_acquire);                                               \
    if (!p) {                                                                                     \
      p = ::lockcheck_rt::nextSymbol(name, version);                                              \
      if (!p) ::lockcheck_rt::noNextDefinition(name);                                             \
      slot.store(p, std::memory_order_release);                                                   \
    }                                                                                             \
    return reinterpret_cast<type>(p);                                                             \
  }())

#define LOCKCHECK_REAL(fn) LOCKCHECK_REAL_AS(decltype(&::fn), #fn, nullptr)
