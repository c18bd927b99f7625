// A small project for the language server test: the blocking call is in another file.
#pragma once
#include <map>
#include <mutex>
#include <string>

struct Store {
  std::mutex mu;
  std::map<std::string, std::string> hashes;
};

// Defined in crypto.cpp; sleeps like a real password hash.
std::string slow_hash(const std::string &password);
