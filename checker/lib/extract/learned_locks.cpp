#include "extract/learned_locks.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/lock_identity.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>

namespace lockcheck {
using namespace clang;

namespace {

// Deep enough for a guard over a wrapper over a pimpl over a native lock; a chain of
// callees deeper than this is left unsummarised rather than risk the stack.
constexpr unsigned kMaxNesting = 24;

QualType stripIndirections(QualType type) {
  type = type.getNonReferenceType();
  for (int i = 0; i < 4; ++i) {
    if (const auto *ptr = type->getAs<PointerType>()) type = ptr->getPointeeType();
    else if (const auto *array = type->getAsArrayTypeUnsafe()) type = array->getElementType();
    else break;
  }
  return type;
}

bool isSmartPointer(const CXXRecordDecl *rec) {
  std::string name = normalizedName(rec);
  return name == "std::unique_ptr" || name == "std::shared_ptr" || name == "boost::scoped_ptr" ||
         name == "boost::shared_ptr";
}

// The member `name` of `rec` or of one of its bases.
bool hasField(const CXXRecordDecl *rec, llvm::StringRef name, int depth = 0) {
  if (!rec || !rec->hasDefinition() || depth > 8) return false;
  for (const FieldDecl *f : rec->fields())
    if (f->getName() == name) return true;
  for (const auto &base : rec->bases())
    if (hasField(base.getType()->getAsCXXRecordDecl(), name, depth + 1)) return true;
  return false;
}

bool callsNamed(const Stmt *s, llvm::function_ref<void(const CallExpr *, llvm::StringRef)> visit) {
  if (!s) return false;
  if (const auto *call = dyn_cast<CallExpr>(s))
    if (const FunctionDecl *callee = call->getDirectCallee(); callee && callee->getIdentifier())
      visit(call, callee->getName());
  for (const Stmt *child : s->children()) callsNamed(child, visit);
  return true;
}

} // namespace

bool LearnedLocks::bodyHere(const FunctionDecl *fn) const {
  const FunctionDecl *def = nullptr;
  if (!fn || !fn->isDefined(def) || !def || !def->doesThisDeclarationHaveABody()) return false;
  return !def->isDependentContext() && !ctx_.getSourceManager().isInSystemHeader(def->getLocation());
}

const LearnedLocks::Summary *LearnedLocks::summaryOf(const FunctionDecl *fn) {
  if (!bodyHere(fn)) return nullptr;
  const FunctionDecl *def = nullptr;
  fn->isDefined(def);
  const FunctionDecl *canonical = def->getCanonicalDecl();
  if (auto it = summaries_.find(canonical); it != summaries_.end())
    return it->second.first == State::Done ? &it->second.second : nullptr;
  if (!analyze_ || depth_ >= kMaxNesting) return nullptr;
  summaries_[canonical] = {State::InProgress, Summary{}};
  ++depth_;
  analyze_(def);
  --depth_;
  auto &entry = summaries_[canonical];
  entry.first = State::Done; // not analysed (no CFG): it does nothing to locks
  return &entry.second;
}

void LearnedLocks::record(const FunctionDecl *fn, Summary summary) {
  summaries_[fn->getCanonicalDecl()] = {State::Done, std::move(summary)};
}

const std::vector<LearnedLocks::GuardMember> &LearnedLocks::guardMembers(const CXXRecordDecl *rec) {
  static const std::vector<GuardMember> none;
  if (!rec || !(rec = rec->getDefinition())) return none;
  if (auto it = guards_.find(rec); it != guards_.end()) return it->second;
  guards_.emplace(rec, std::vector<GuardMember>{}); // while its destructor is analysed
  std::vector<GuardMember> members;
  const CXXDestructorDecl *dtor = rec->getDestructor();
  if (dtor && dtor->isUserProvided())
    if (const Summary *s = summaryOf(dtor); s && !s->pending)
      for (const LockEffect &e : s->effects) {
        if (e.key.base != LockKey::Base::This || e.key.rest.empty() || e.kind == LockEffect::Kind::TryAcquire) continue;
        std::string path = e.key.rest.str();
        std::string field = path.substr(0, path.find('.'));
        if (hasField(rec, field)) members.push_back(GuardMember{field, e});
      }
  return guards_[rec] = std::move(members);
}

LockKey LearnedLocks::initialisedFrom(const CXXConstructorDecl *ctor, llvm::StringRef field) {
  for (const CXXCtorInitializer *init : ctor->inits()) {
    const FieldDecl *member = init->getMember();
    if (!member || member->getName() != field || !init->getInit()) continue;
    auto ref = lockRefFor(init->getInit(), ctor, ctx_);
    if (ref && (ref->key.base == LockKey::Base::Param || ref->key.base == LockKey::Base::Global)) return ref->key;
    return {};
  }
  return {};
}

std::vector<LearnedLocks::GuardLock> LearnedLocks::guardLocks(const CXXConstructorDecl *ctor) {
  std::vector<GuardLock> out;
  const Summary *made = summaryOf(ctor);
  for (const GuardMember &m : guardMembers(ctor->getParent())) {
    LockKey from = initialisedFrom(ctor, m.field);
    if (from.empty()) continue;
    std::string path = m.lock.key.rest.str();
    GuardLock g;
    g.lock = m.lock;
    g.lock.key = from.join(path.size() > m.field.size() ? path.substr(m.field.size() + 1) : std::string());
    g.lock.via = m.field;
    if (made && !made->pending)
      for (const LockEffect &e : made->effects)
        if (e.via == m.field || e.key == g.lock.key) g.made = e;
    out.push_back(std::move(g));
  }
  return out;
}

LearnedLocks::GuardKind LearnedLocks::guardKind(const CXXRecordDecl *rec) {
  const auto &members = guardMembers(rec);
  if (members.empty()) return GuardKind::None;
  for (const auto &m : members)
    if (m.lock.kind == LockEffect::Kind::Release) return GuardKind::Lock;
  return GuardKind::Unlock;
}

bool LearnedLocks::native(QualType type) {
  type = type.getCanonicalType();
  if (const CXXRecordDecl *rec = type->getAsCXXRecordDecl())
    if (rec->hasAttr<CapabilityAttr>() || packs_.lockType(normalizedName(rec))) return true;
  if (!nativeTypesFound_) {
    nativeTypesFound_ = true;
    // The POSIX and C11 lock types are whatever the packs' lock functions lock.
    for (const LockFunctionEntry &entry : packs_.lockFunctions()) {
      const std::string &name = entry.name.text();
      if (!entry.name.isExact() || entry.arg < 0 || name.find(':') != std::string::npos) continue;
      // find(), not get(): a name the TU never spelled declares nothing, and get() would
      // create it, through LLVM's allocator inlined here (its ASan poisoning then disagrees
      // with the uninstrumented libclang-cpp that carves the same slabs).
      auto ident = ctx_.Idents.find(name);
      if (ident == ctx_.Idents.end() || !ident->getValue()) continue;
      for (const NamedDecl *d : ctx_.getTranslationUnitDecl()->lookup(ident->getValue()))
        if (const auto *f = dyn_cast<FunctionDecl>(d); f && static_cast<unsigned>(entry.arg) < f->getNumParams())
          if (QualType param = f->getParamDecl(static_cast<unsigned>(entry.arg))->getType(); param->isPointerType())
            nativeTypes_.insert(param->getPointeeType().getCanonicalType().getTypePtr());
    }
  }
  return nativeTypes_.count(type.getTypePtr()) > 0;
}

// `hops`: how many pointer or reference members may still be followed.
bool LearnedLocks::holds(const CXXRecordDecl *rec, int hops) {
  if (!rec) return false;
  const CXXRecordDecl *def = rec->getDefinition();
  if (!def) return true; // incomplete here (a pimpl): it may hold one
  auto [it, added] = holders_.emplace(std::make_pair(def, hops), 2);
  if (!added) return it->second == 1;
  bool result = false;
  auto member = [&](QualType t) {
    t = t.getCanonicalType();
    while (const auto *array = t->getAsArrayTypeUnsafe()) t = array->getElementType().getCanonicalType();
    if (native(t)) return true;
    if (t->isReferenceType() || t->isPointerType()) {
      if (hops == 0) return false;
      QualType pointee = t->getPointeeType();
      return native(pointee) || holds(pointee->getAsCXXRecordDecl(), hops - 1);
    }
    const CXXRecordDecl *r = t->getAsCXXRecordDecl();
    if (!r) return false;
    if (ctx_.getSourceManager().isInSystemHeader(r->getLocation())) {
      const auto *spec = dyn_cast<ClassTemplateSpecializationDecl>(r);
      if (hops == 0 || !spec || !isSmartPointer(r) || spec->getTemplateArgs().size() == 0) return false;
      QualType pointee = spec->getTemplateArgs()[0].getAsType();
      return !pointee.isNull() && (native(pointee) || holds(pointee->getAsCXXRecordDecl(), hops - 1));
    }
    return holds(r, hops);
  };
  if (ctx_.getSourceManager().isInSystemHeader(def->getLocation())) {
    result = false;
  } else {
    for (const FieldDecl *f : def->fields())
      if ((result = member(f->getType()))) break;
    if (!result)
      for (const auto &base : def->bases())
        if ((result = holds(base.getType()->getAsCXXRecordDecl(), hops))) break;
  }
  holders_[std::make_pair(def, hops)] = result ? 1 : 0;
  return result;
}

bool LearnedLocks::lockRelevant(QualType type) {
  type = stripIndirections(type);
  if (type.isNull()) return false;
  if (native(type)) return true;
  const CXXRecordDecl *rec = type->getAsCXXRecordDecl();
  if (!rec || rec->isLambda()) return false;
  return holds(rec, 1);
}

bool LearnedLocks::mayActOnLocks(const CallSite &call) {
  const FunctionDecl *callee = call.callee;
  if (!callee) return false;
  auto anyArg = [&] {
    for (const Expr *arg : call.args) {
      QualType t = arg->getType();
      if ((t->isPointerType() || t->isReferenceType() || t->isRecordType() || arg->isGLValue()) && lockRelevant(t))
        return true;
    }
    return false;
  };
  if (call.isConstruct) {
    const CXXRecordDecl *rec = cast<CXXConstructorDecl>(callee)->getParent();
    // A guard gives its lock back in its destructor.
    return rec->hasUserDeclaredDestructor() && anyArg();
  }
  QualType ret = callee->getReturnType();
  if (!ret->isVoidType() && !ret->isIntegralOrEnumerationType()) return false;
  if (call.object && lockRelevant(call.object->getType())) return true;
  if (call.implicitThis)
    if (const auto *method = dyn_cast<CXXMethodDecl>(callee); method && holds(method->getParent(), 1)) return true;
  return anyArg();
}

const std::vector<LearnedLocks::KeyOp> &LearnedLocks::opsOf(const FunctionDecl *fn) {
  auto it = ops_.find(fn);
  if (it != ops_.end()) return it->second;
  ops_.emplace(fn, std::vector<KeyOp>{}); // while it is scanned
  std::vector<KeyOp> ops = scan_ ? scan_(fn) : std::vector<KeyOp>{};
  return ops_[fn] = std::move(ops);
}

namespace {
// The type a parameter key reaches the lock through: `pthread_mutex_t *m` and `Mutex &m`
// are both the pointee.
const Type *paramType(const FunctionDecl *fn, unsigned index) {
  if (index >= fn->getNumParams()) return nullptr;
  QualType t = fn->getParamDecl(index)->getType().getNonReferenceType();
  if (const auto *ptr = t->getAs<PointerType>()) t = ptr->getPointeeType();
  return t.getCanonicalType().getUnqualifiedType().getTypePtr();
}
} // namespace

bool LearnedLocks::counterpart(const FunctionDecl *fn, const LockKey &key, bool release) {
  auto matches = [&](const FunctionDecl *other) {
    for (const KeyOp &op : opsOf(other))
      if (op.key == key && op.release == release) return true;
    return false;
  };
  if (key.base == LockKey::Base::This) {
    // The class's own methods (its destructor too) and its bases'.
    const auto *method = dyn_cast<CXXMethodDecl>(fn);
    std::vector<const CXXRecordDecl *> classes;
    if (method) classes.push_back(method->getParent());
    for (size_t i = 0; i < classes.size() && i < 16; ++i) {
      const CXXRecordDecl *rec = classes[i]->getDefinition();
      if (!rec) continue;
      for (const Decl *d : rec->decls()) {
        const auto *m = dyn_cast<CXXMethodDecl>(d);
        if (const auto *tmpl = dyn_cast<FunctionTemplateDecl>(d)) m = dyn_cast<CXXMethodDecl>(tmpl->getTemplatedDecl());
        const FunctionDecl *def = nullptr;
        if (!m || !m->isDefined(def) || def->getCanonicalDecl() == fn->getCanonicalDecl() || !bodyHere(def)) continue;
        if (matches(def)) return true;
      }
      for (const auto &base : rec->bases())
        if (const CXXRecordDecl *b = base.getType()->getAsCXXRecordDecl()) classes.push_back(b);
    }
    return false;
  }
  if (key.base != LockKey::Base::Global && key.base != LockKey::Base::Param) return false;
  if (!indexed_ && functions_) {
    indexed_ = true;
    for (const FunctionDecl *f : *functions_) {
      if (!bodyHere(f) || !f->doesThisDeclarationHaveABody()) continue;
      for (const KeyOp &op : opsOf(f)) {
        if (op.key.base == LockKey::Base::Global) globalOps_[{op.key, op.release}].insert(f->getCanonicalDecl());
        if (op.key.base == LockKey::Base::Param)
          if (const Type *t = paramType(f, op.key.param))
            paramOps_[{t, op.key.rest.str(), op.release}].insert(f->getCanonicalDecl());
      }
    }
  }
  const std::set<const FunctionDecl *> *makers = nullptr;
  if (key.base == LockKey::Base::Global) {
    auto it = globalOps_.find({key, release});
    if (it != globalOps_.end()) makers = &it->second;
  } else if (const Type *t = paramType(fn, key.param)) {
    auto it = paramOps_.find({t, key.rest.str(), release});
    if (it != paramOps_.end()) makers = &it->second;
  }
  return makers && (makers->size() > 1 || !makers->count(fn->getCanonicalDecl()));
}

bool LearnedLocks::recursiveMember(const FieldDecl *field, bool &known) {
  known = false;
  const auto *rec = dyn_cast<CXXRecordDecl>(field->getParent());
  if (!rec) return false;
  auto it = recursive_.find(rec);
  if (it == recursive_.end()) {
    std::pair<bool, std::set<std::string>> found{false, {}};
    for (const CXXConstructorDecl *ctor : rec->ctors()) {
      const FunctionDecl *def = nullptr;
      if (!ctor->isDefined(def) || !def->getBody()) continue;
      found.first = true;
      bool recursive = false;
      std::set<std::string> initialised;
      callsNamed(def->getBody(), [&](const CallExpr *call, llvm::StringRef name) {
        if ((name == "pthread_mutexattr_settype" || name == "pthread_mutexattr_settype_np") && call->getNumArgs() == 2)
          if (const auto *ref = dyn_cast<DeclRefExpr>(peel(call->getArg(1))))
            if (const auto *value = dyn_cast<EnumConstantDecl>(ref->getDecl()))
              recursive |= value->getName().starts_with("PTHREAD_MUTEX_RECURSIVE");
        if (name == "pthread_mutex_init" && call->getNumArgs() >= 1)
          if (const auto *member = dyn_cast<MemberExpr>(peel(call->getArg(0))))
            initialised.insert(member->getMemberDecl()->getNameAsString());
      });
      if (recursive) found.second.insert(initialised.begin(), initialised.end());
    }
    it = recursive_.emplace(rec, std::move(found)).first;
  }
  known = it->second.first;
  return it->second.second.count(field->getNameAsString()) > 0;
}

} // namespace lockcheck
