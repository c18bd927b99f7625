#pragma once
#include <map>
#include <mutex>
#include <string>

class Store {
public:
  void put(const std::string &key, const std::string &value);
  std::string get(const std::string &key);
  void flush_to_disk(); // sleeps: simulates a slow fsync

private:
  std::mutex mu_;
  std::map<std::string, std::string> data_;
};
