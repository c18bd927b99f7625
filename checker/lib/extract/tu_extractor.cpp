#include "extract/tu_extractor.h"

#include "extract/callable_flow_recorder.h"
#include "extract/class_hierarchy_recorder.h"
#include "extract/decl_names.h"
#include "facts/facts_cache.h"
#include "extract/function_analyzer.h"
#include "extract/include_lookups.h"
#include "extract/stream_identity.h"
#include "extract/unnamed_guard_check.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/FileManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Preprocessor.h>

#include <algorithm>
#include <set>
#include <vector>

namespace lockcheck {
using namespace clang;

namespace {

// See Extractor::VisitCXXRecordDecl.
bool isImplicitInitializingConstructor(const FunctionDecl *fn) {
  const auto *ctor = dyn_cast<CXXConstructorDecl>(fn);
  if (!ctor || !ctor->isImplicit() || !ctor->isDefaultConstructor()) return false;
  const CXXRecordDecl *rec = ctor->getParent();
  return std::any_of(rec->field_begin(), rec->field_end(), [](const FieldDecl *f) { return f->hasInClassInitializer(); });
}

bool hasAnnotation(const Decl *decl, llvm::StringRef text) {
  for (const Decl *d : decl->redecls())
    for (const auto *a : d->specific_attrs<AnnotateAttr>())
      if (a->getAnnotation() == text) return true;
  return false;
}

class Extractor : public RecursiveASTVisitor<Extractor> {
public:
  Extractor(ASTContext &ctx, const RulePacks &packs, TUFacts &out, const FlowHandlerFactory &rules)
      : ctx_(ctx), sm_(ctx.getSourceManager()), out_(out), rules_(rules(out.findings)),
        analyzer_(packs, ctx, [this](const FunctionDecl *fn) { noteDecl(fn); }, *rules_) {
    // A wrapper's body is analysed before its first caller (extract/learned_locks.h).
    analyzer_.learned().setAnalyzer([this](const FunctionDecl *fn) { analyze(const_cast<FunctionDecl *>(fn)); });
    analyzer_.learned().setFunctions(&found_);
  }

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  // Nothing under a declaration written in a system header is analysed (analyze() and the
  // learned locks skip those headers), and most of a TU's AST is there: walking it was a
  // third of extract's own time on leveldb (docs/performance.md, "The plugin").
  bool TraverseDecl(Decl *decl) {
    if (decl && !isa<TranslationUnitDecl>(decl) && sm_.isInSystemHeader(decl->getLocation())) return true;
    return RecursiveASTVisitor::TraverseDecl(decl);
  }

  bool VisitFunctionDecl(FunctionDecl *fn) {
    found_.push_back(fn);
    return true;
  }

  // An implicit default constructor runs the class's default member initialisers
  // (`int fd = ::open(...);`): it is the user's code, though the visitor skips implicit ones.
  bool VisitCXXRecordDecl(CXXRecordDecl *rec) {
    if (!rec->hasDefinition()) return true;
    for (CXXConstructorDecl *ctor : rec->ctors())
      if (ctor->doesThisDeclarationHaveABody() && isImplicitInitializingConstructor(ctor)) found_.push_back(ctor);
    return true;
  }

  bool VisitLambdaExpr(LambdaExpr *lambda) {
    CXXMethodDecl *op = lambda->getCallOperator();
    if (FunctionTemplateDecl *tmpl = op->getDescribedFunctionTemplate()) {
      for (FunctionDecl *spec : tmpl->specializations()) found_.push_back(spec);
    } else {
      found_.push_back(op);
    }
    return true;
  }

  // Functions are analysed after the traversal, not during it: building CFGs and
  // reading attributes must not touch the AST's lists while the visitor walks them.
  void extract(TranslationUnitDecl *tu, const RulePacks &packs) {
    recordStreamFlows(ctx_, packs, out_);
    TraverseDecl(tu);
    for (FunctionDecl *fn : found_) analyze(fn);
    pruneStreamFlows(out_);
  }

private:
  void noteDecl(const FunctionDecl *fn) {
    std::string key = functionKey(fn, sm_);
    if (out_.decls.count(key)) return;
    DeclFacts d;
    d.key = key;
    d.name = displayName(fn, sm_);
    d.qualified = normalizedName(fn);
    d.annotatedBlocking = hasAnnotation(fn, "lockcheck::blocking");
    d.annotatedNonblocking = hasAnnotation(fn, "lockcheck::nonblocking");
    d.system = sm_.isInSystemHeader(fn->getLocation());
    out_.decls.emplace(key, std::move(d));
  }

  void analyze(FunctionDecl *fn) {
    if (!fn->doesThisDeclarationHaveABody() || fn->isDependentContext() || fn->isInvalidDecl()) return;
    if (sm_.isInSystemHeader(fn->getLocation())) return;
    if (fn->isDefaulted() && !fn->isUserProvided() && !isImplicitInitializingConstructor(fn)) return;
    std::string key = functionKey(fn, sm_);
    if (out_.functions.count(key)) return;
    noteDecl(fn);
    FunctionFacts facts;
    facts.key = key;
    facts.name = displayName(fn, sm_);
    facts.qualified = normalizedName(fn);
    facts.where = sourcePoint(sm_, fn->getLocation());
    facts.annotatedBlocking = hasAnnotation(fn, "lockcheck::blocking");
    facts.annotatedNonblocking = hasAnnotation(fn, "lockcheck::nonblocking");
    facts.annotatedHandler = hasAnnotation(fn, "lockcheck::handler");
    if (const auto *m = dyn_cast<CXXMethodDecl>(fn)) facts.isLambda = m->getParent()->isLambda();
    if (!analyzer_.analyze(fn, facts)) return;
    checkUnnamedGuards(fn, analyzer_.recognizer(), ctx_, facts.name, *rules_);
    out_.functions.emplace(key, std::move(facts));
  }

  ASTContext &ctx_;
  const SourceManager &sm_;
  TUFacts &out_;
  std::unique_ptr<FlowHandler> rules_; // the rules' flow hooks, reporting into out_.findings
  FunctionAnalyzer analyzer_;
  std::vector<FunctionDecl *> found_; // in traversal order, for deterministic output
};

class ExtractConsumer : public ASTConsumer {
public:
  ExtractConsumer(const RulePacks &packs, TUFacts &out, bool recordInputs, FlowHandlerFactory rules)
      : packs_(packs), out_(out), recordInputs_(recordInputs), rules_(std::move(rules)) {}
  // Filled by the include lookup recorder while the TU is preprocessed, read at its end.
  std::vector<std::string> &found() { return found_; }
  void HandleTranslationUnit(ASTContext &ctx) override {
    if (ctx.getDiagnostics().hasErrorOccurred()) return; // reported by the driver; no facts from broken code
    const SourceManager &sm = ctx.getSourceManager();
    if (auto entry = sm.getFileEntryRefForID(sm.getMainFileID())) out_.file = displayPath(entry->getName().str());
    Extractor extractor(ctx, packs_, out_, rules_);
    extractor.extract(ctx.getTranslationUnitDecl(), packs_);
    recordClassHierarchy(ctx, out_); // what indirect calls resolve over (issue 19)
    recordCallableFlows(ctx, out_);
    if (!recordInputs_) return;
    // The hash of what the parser read, not of the file when the entry is stored: an edit
    // in between must not be taken as analysed (issue 12).
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      llvm::SmallString<256> name(it->first.getName());
      sm.getFileManager().getVirtualFileSystem().makeAbsolute(name);
      std::optional<llvm::StringRef> bytes = it->second->getBufferDataIfLoaded();
      out_.inputs.push_back({std::string(name.str()), bytes ? contentHash(std::string(*bytes)) : std::string()});
    }
    // Found by __has_include / __has_embed but not read: an input all the same (its
    // removal, or its emptiness for __has_embed, changes the TU); hashed when stored.
    std::set<std::string> read;
    for (const auto &in : out_.inputs) read.insert(in.path);
    for (const auto &path : found_)
      if (!read.count(path)) out_.inputs.push_back({path, std::string()});
  }

private:
  const RulePacks &packs_;
  TUFacts &out_;
  bool recordInputs_;
  std::vector<std::string> found_; // by __has_include / __has_embed
  FlowHandlerFactory rules_;
};

class ExtractAction : public ASTFrontendAction {
public:
  ExtractAction(const RulePacks &packs, TUFacts &out, FlowHandlerFactory rules)
      : packs_(packs), out_(out), rules_(std::move(rules)) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &ci, llvm::StringRef) override {
    return makeExtractConsumer(ci, packs_, out_, true, rules_);
  }

private:
  const RulePacks &packs_;
  TUFacts &out_;
  FlowHandlerFactory rules_;
};

} // namespace

std::unique_ptr<FrontendAction> makeExtractAction(const RulePacks &packs, TUFacts &out, FlowHandlerFactory rules) {
  return std::make_unique<ExtractAction>(packs, out, std::move(rules));
}

std::unique_ptr<ASTConsumer> makeExtractConsumer(CompilerInstance &ci, const RulePacks &packs, TUFacts &out,
                                                 bool recordInputs, FlowHandlerFactory rules) {
  auto consumer = std::make_unique<ExtractConsumer>(packs, out, recordInputs, std::move(rules));
  if (recordInputs) // the consumer outlives preprocessing, so it can hold what the recorder finds
    ci.getPreprocessor().addPPCallbacks(makeIncludeLookupRecorder(ci.getPreprocessor(), out.absent, consumer->found()));
  return consumer;
}

} // namespace lockcheck
