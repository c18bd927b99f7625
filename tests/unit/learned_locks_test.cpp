// Lock wrappers learned from their bodies (issue 26): translating an effect to a caller
// (facts/lock_effects.h), the effects extract reads off a wrapper's body, and the link
// replay of a caller whose wrapper is defined in another TU (link/lock_replay.h).
#include "config/rule_pack.h"
#include "extract/function_analyzer.h"
#include "facts/lock_effects.h"
#include "link/program_linker.h"

#include <clang/AST/ASTContext.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>
#include <gtest/gtest.h>

#include <map>

namespace lockcheck {
namespace {

SourcePoint at(unsigned line, unsigned column = 3) { return {"db.cpp", line, column}; }

LockRef ref(const LockKey &key, const LockKey &order, const std::string &display) {
  return LockRef{key, order, display, false, false};
}

LockEffect effect(LockEffect::Kind kind, const LockKey &key, const std::string &display = "impl_") {
  LockEffect e;
  e.kind = kind;
  e.key = key;
  e.order = LockKey::field("Mutex", "impl_");
  e.display = display;
  return e;
}

TEST(EffectAtCall, TheCallerSeesItsOwnObjectWithTheWrappersPath) {
  CallNames names;
  names.self = ref(LockKey::thisMember("m_"), LockKey::field("DB", "m_"), "m_");
  auto lock = effectAtCall(effect(LockEffect::Kind::Acquire, LockKey::thisMember("impl_")), names);
  ASSERT_TRUE(lock);
  EXPECT_EQ(lock->key, LockKey::thisMember("m_.impl_"));   // two wrappers are two locks
  EXPECT_EQ(lock->display, "m_");                          // as the caller writes it
  EXPECT_EQ(lock->order, LockKey::field("DB", "m_"));      // not every wrapper's inner member
}

TEST(EffectAtCall, ParametersGlobalsAndTheCallersOwnThis) {
  CallNames names;
  names.args = {std::nullopt, ref(LockKey::global("store"), LockKey::global("store"), "store")};
  auto viaArg = effectAtCall(effect(LockEffect::Kind::Release, LockKey::parameter(1, "mu")), names);
  ASSERT_TRUE(viaArg);
  EXPECT_EQ(viaArg->key, LockKey::global("store.mu"));
  EXPECT_EQ(viaArg->display, "store");
  EXPECT_FALSE(effectAtCall(effect(LockEffect::Kind::Release, LockKey::parameter(0)), names)); // names no lock
  auto global = effectAtCall(effect(LockEffect::Kind::Acquire, LockKey::global("g_mu"), "g_mu"), names);
  ASSERT_TRUE(global);
  EXPECT_EQ(global->display, "g_mu");
  EXPECT_FALSE(effectAtCall(effect(LockEffect::Kind::Acquire, LockKey::thisMember("impl_")), names)); // no object
  names.self = ref(LockKey::thisObject(), LockKey::thisObject(), "this");
  names.selfIsCallersThis = true;
  auto own = effectAtCall(effect(LockEffect::Kind::Acquire, LockKey::thisMember("impl_")), names);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->key, LockKey::thisMember("impl_"));
  EXPECT_EQ(own->display, "impl_"); // a method on its own object keeps its own names
}

// The effects extract learns for each method of `code` (pthread's lock functions as the
// shipped packs name them).
std::map<std::string, std::vector<LockEffect>> learn(const std::string &code) {
  std::map<std::string, std::vector<LockEffect>> out;
  const char *posix = R"(typedef struct { int opaque; } pthread_mutex_t;
extern "C" int pthread_mutex_lock(pthread_mutex_t *);
extern "C" int pthread_mutex_trylock(pthread_mutex_t *);
extern "C" int pthread_mutex_unlock(pthread_mutex_t *);
)";
  auto ast = clang::tooling::buildASTFromCodeWithArgs(posix + code, {"-std=c++20", "-fexceptions", "-fcxx-exceptions"});
  EXPECT_TRUE(ast);
  if (!ast) return out;
  RulePacks packs;
  std::string error;
  EXPECT_TRUE(packs.loadPath(LOCKCHECK_SOURCE_RULES_DIR, error)) << error;
  struct : FlowHandler {
  } quiet;
  FunctionAnalyzer analyzer(packs, ast->getASTContext(), [](const clang::FunctionDecl *) {}, quiet);
  for (const clang::Decl *d : ast->getASTContext().getTranslationUnitDecl()->decls()) {
    const auto *rec = llvm::dyn_cast<clang::CXXRecordDecl>(d);
    if (!rec) continue;
    for (const clang::CXXMethodDecl *m : rec->methods()) {
      if (!m->doesThisDeclarationHaveABody()) continue;
      FunctionFacts facts;
      EXPECT_TRUE(analyzer.analyze(m, facts));
      out[m->getNameAsString()] = facts.effects;
    }
  }
  return out;
}

TEST(WrapperSummary, LockUnlockTryLockOfAPthreadWrapper) {
  auto effects = learn(R"(
class Mutex {
 public:
  void lock() { if (pthread_mutex_lock(&m_)) throw 1; }
  void unlock() { pthread_mutex_unlock(&m_); }
  bool tryLock() { return pthread_mutex_trylock(&m_) == 0; }
  void critical() { pthread_mutex_lock(&m_); ++n_; pthread_mutex_unlock(&m_); }
  void nothing() {}
 private:
  pthread_mutex_t m_;
  int n_ = 0;
};)");
  ASSERT_EQ(effects["lock"].size(), 1u);
  EXPECT_EQ(effects["lock"][0].kind, LockEffect::Kind::Acquire);
  EXPECT_EQ(effects["lock"][0].key, LockKey::thisMember("m_"));
  ASSERT_EQ(effects["unlock"].size(), 1u);
  EXPECT_EQ(effects["unlock"][0].kind, LockEffect::Kind::Release);
  ASSERT_EQ(effects["tryLock"].size(), 1u);
  EXPECT_EQ(effects["tryLock"][0].kind, LockEffect::Kind::TryAcquire);
  EXPECT_FALSE(effects["tryLock"][0].heldOnZero);
  EXPECT_TRUE(effects["critical"].empty()); // a complete critical section hands nothing on
  EXPECT_TRUE(effects["nothing"].empty());
}

// Link: db.cpp's Put() calls mu_.Lock() / mu_.Unlock(), whose bodies are in mutex.cpp.
TEST(LockReplay, AWrapperFromAnotherTUHoldsItsLockAtTheCallsInBetween) {
  TUFacts mutexTu;
  FunctionFacts lock, unlock;
  lock.key = lock.name = lock.qualified = "Mutex::Lock";
  unlock.key = unlock.name = unlock.qualified = "Mutex::Unlock";
  lock.where = unlock.where = {"mutex.cpp", 1, 1};
  lock.effects = {effect(LockEffect::Kind::Acquire, LockKey::thisMember("impl_"))};
  unlock.effects = {effect(LockEffect::Kind::Release, LockKey::thisMember("impl_"))};
  mutexTu.functions.emplace(lock.key, lock);
  mutexTu.functions.emplace(unlock.key, unlock);

  TUFacts dbTu;
  DeclFacts fsync;
  fsync.key = fsync.name = fsync.qualified = "fsync";
  fsync.annotatedBlocking = true;
  dbTu.decls.emplace(fsync.key, fsync);
  FunctionFacts put;
  put.key = put.name = put.qualified = "DB::Put";
  put.where = at(1);
  auto call = [](const std::string &callee, unsigned line) {
    CallEvent c;
    c.callee = c.calleeName = callee;
    c.where = at(line);
    c.thisArg = LockKey::thisMember("mu_");
    return c;
  };
  put.calls = {call("Mutex::Lock", 2), call("fsync", 3), call("Mutex::Unlock", 4), call("fsync", 5)};
  LockRef mu = ref(LockKey::thisMember("mu_"), LockKey::field("DB", "mu_"), "mu_");
  for (unsigned i : {0u, 2u}) {
    PendingCall p;
    p.call = i;
    p.at = at(i + 2);
    p.names.self = mu;
    put.program.pending.push_back(p);
  }
  ProgramBlock block;
  block.steps = {{ProgramStep::Kind::Pending, 0, {}}, {ProgramStep::Kind::Call, 1, {}},
                 {ProgramStep::Kind::Pending, 1, {}}, {ProgramStep::Kind::Call, 3, {}}};
  block.exit = 0;
  put.program.blocks = {block};
  put.program.exits = {ProgramExit{at(6), false, -1, false, false, 0}};
  dbTu.functions.emplace(put.key, put);

  RulePacks packs;
  ProgramLinker linker(packs);
  linker.add(mutexTu);
  linker.add(dbTu);
  auto findings = linker.link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(3));
  EXPECT_EQ(findings[0].message, "fsync() blocks (annotated) while 'mu_' is held");
  // The wrapper calls are lock operations now, not calls.
  const FunctionFacts &linked = linker.functions().at("DB::Put");
  ASSERT_EQ(linked.calls.size(), 2u);
  EXPECT_EQ(linked.calls[0].held.size(), 1u);
  EXPECT_EQ(linked.calls[0].held[0].lock.key, LockKey::thisMember("mu_.impl_"));
  EXPECT_TRUE(linked.calls[1].held.empty());
  ASSERT_EQ(linked.acquires.size(), 1u);
  EXPECT_EQ(linked.acquires[0].where, at(2));
}

} // namespace
} // namespace lockcheck
