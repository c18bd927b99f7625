#include "src/auth.h"

int main() {
  Store store;
  store.put("ann", "secret");
  Auth auth(store);
  return auth.login("ann", "secret") ? 0 : 1;
}
