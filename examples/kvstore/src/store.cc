#include "store.h"

#include <chrono>
#include <thread>

void Store::put(const std::string &key, const std::string &value) {
  std::lock_guard<std::mutex> lock(mu_);
  data_[key] = value;
}

std::string Store::get(const std::string &key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = data_.find(key);
  return it == data_.end() ? std::string() : it->second;
}

void Store::flush_to_disk() { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }
