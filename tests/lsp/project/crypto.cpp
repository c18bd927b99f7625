#include "store.h"

#include <unistd.h>

std::string slow_hash(const std::string &password) {
  usleep(200000);
  return password + "!";
}
