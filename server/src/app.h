#pragma once
// The long-lived parts a handler needs, wired up once in main.
#include "config.h"
#include "db_pool.h"
#include "item_cache.h"
#include "job_pool.h"

namespace lcs {

struct App {
  const Config& cfg;
  DbPool& db;
  JobPool& bcrypt;  // WORKERS threads, BCRYPT_QUEUE waiting
  ItemCache& items;
};

}  // namespace lcs
