#include "facts/lock_key.h"

#include <cctype>
#include <vector>

namespace lockcheck {

std::optional<LockKey> LockKey::parse(const std::string &key) {
  auto colon = key.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string base = key.substr(0, colon);
  LockKey out;
  out.rest = key.substr(colon + 1);
  if (base == "g") out.base = Base::Global;
  else if (base == "f") out.base = Base::Field;
  else if (base == "t") out.base = Base::This;
  else if (base == "l") out.base = Base::Local;
  else if (base == "x") out.base = Base::Spelling;
  else if (base[0] == 'p' && base.size() > 1 && base.size() < 10) {
    for (size_t i = 1; i < base.size(); ++i)
      if (!std::isdigit(static_cast<unsigned char>(base[i]))) return std::nullopt;
    out.base = Base::Param;
    out.param = static_cast<unsigned>(std::stoul(base.substr(1)));
  } else {
    return std::nullopt;
  }
  return out;
}

std::string joinKey(const std::string &base, const std::string &member) {
  if (member.empty()) return base;
  if (!base.empty() && base.back() == ':') return base + member;
  return base + "." + member;
}

bool isDeclarationOrder(const std::string &order) {
  auto key = LockKey::parse(order);
  return key && key->isDeclaration();
}

std::string translateKey(const std::string &calleeKey, const std::string &thisArg,
                         const std::vector<std::string> &argKeys) {
  auto key = LockKey::parse(calleeKey);
  if (!key) return {};
  switch (key->base) {
  case LockKey::Base::Global:
  case LockKey::Base::Field: return calleeKey;
  case LockKey::Base::This: return thisArg.empty() ? std::string() : joinKey(thisArg, key->rest);
  case LockKey::Base::Param:
    if (key->param >= argKeys.size() || argKeys[key->param].empty()) return {};
    return joinKey(argKeys[key->param], key->rest);
  case LockKey::Base::Local:
  case LockKey::Base::Spelling: return {};
  }
  return {};
}

} // namespace lockcheck
