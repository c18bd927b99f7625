#pragma once
// Maps method + path to a handler; 404/405 otherwise.
#include "app.h"
#include "exchange.h"

namespace lcs {

void route(App& app, const ExchangePtr& ex);

}  // namespace lcs
