#pragma once
// HTTP request handlers. Each finishes its exchange exactly once, possibly
// later from a DB or bcrypt thread.
#include <cstdint>

#include "app.h"
#include "exchange.h"

// lockcheck (a Clang tool) sees the annotation; GCC would only warn.
#if defined(__clang__)
#define LOCKCHECK_HANDLER [[clang::annotate("lockcheck::handler")]]
#else
#define LOCKCHECK_HANDLER
#endif

namespace lcs {

LOCKCHECK_HANDLER void handle_health(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_version(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_metrics(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_register(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_login(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_me(App& app, const ExchangePtr& ex);
LOCKCHECK_HANDLER void handle_item_get(App& app, const ExchangePtr& ex, std::int64_t id);
LOCKCHECK_HANDLER void handle_item_put(App& app, const ExchangePtr& ex, std::int64_t id);
LOCKCHECK_HANDLER void handle_debug_slow(App& app, const ExchangePtr& ex);

}  // namespace lcs
