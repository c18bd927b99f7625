#pragma once
#include <mutex>
#include <string>

#include "store.h"

class Auth {
public:
  explicit Auth(Store &store) : store_(store) {}
  bool login(const std::string &user, const std::string &password);

private:
  std::mutex mu_;
  Store &store_;
};
