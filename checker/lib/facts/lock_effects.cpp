#include "facts/lock_effects.h"

namespace lockcheck {

bool namedByCaller(const LockKey &key) {
  switch (key.base) {
  case LockKey::Base::Global:
  case LockKey::Base::Param: return true;
  case LockKey::Base::This: return !key.rest.empty();
  default: return false;
  }
}

std::optional<LockRef> effectAtCall(const LockEffect &effect, const CallNames &names) {
  LockRef lock{effect.key, effect.order, effect.display, effect.shared, effect.recursive};
  if (effect.key.base == LockKey::Base::Global) return lock; // the same lock in every function
  const std::optional<LockRef> *object = nullptr;
  if (effect.key.base == LockKey::Base::This) object = &names.self;
  else if (effect.key.base == LockKey::Base::Param && effect.key.param < names.args.size())
    object = &names.args[effect.key.param];
  if (!object || !*object || (*object)->key.empty()) return std::nullopt;
  std::vector<LockKey> argKeys;
  argKeys.reserve(names.args.size());
  for (const auto &arg : names.args) argKeys.push_back(arg ? arg->key : LockKey{});
  lock.key = effect.key.translate(names.self ? names.self->key : LockKey{}, argKeys);
  if (lock.key.empty()) return std::nullopt;
  // The wrapper is the lock to its caller: `m_.lock()` holds 'm_', ordered as the member
  // m_, not as the pthread_mutex_t every wrapper object has inside (one order node for
  // all of them would merge unrelated locks). On the caller's own `this` the callee's
  // names are the caller's too.
  if (!(effect.key.base == LockKey::Base::This && names.selfIsCallersThis)) {
    lock.display = (*object)->display;
    lock.order = (*object)->order.empty() ? lock.key : (*object)->order;
  }
  return lock;
}

} // namespace lockcheck
