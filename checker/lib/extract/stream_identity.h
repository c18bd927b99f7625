// Which stream or descriptor an expression holds (docs/spec.md §3 "The console is logging",
// "Self-wakeups do not block"): a FILE*, a std::ostream (reference, pointer or object) or an
// `int` descriptor is the console (stdout, stderr, std::cout, fd 1 or 2: the packs'
// console_streams / console_descriptors), a descriptor made non-blocking (the packs'
// nonblocking_descriptors: eventfd(EFD_NONBLOCK), socket(SOCK_NONBLOCK), pipe2(O_NONBLOCK)),
// or a slot whose values are followed over the program like callables (§1): a field, a
// global, a local, a parameter, a function's result. Field-based and flow-insensitive, as
// the callable flows are (extract/callable_flow_recorder.h; slots are named as
// extract/slot_access.h names them); anything else is unknown, and a slot is the console
// only if everything that flows into it is.
#pragma once

#include "config/rule_pack.h"
#include "facts/facts.h"

#include <string>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class QualType;
} // namespace clang

namespace lockcheck {

// FILE*, a std::basic_ostream by reference or pointer, `int`, or an array of these.
bool isStreamType(clang::QualType type);

// The value of a stream argument at a call in `fn` (StreamArg::value in facts.h): "$console",
// "$nonblocking", "a:N" for fn's own parameter N, or a slot key; empty when unknown or when
// the expression is no stream.
std::string streamValue(const clang::Expr *arg, const clang::FunctionDecl *fn, const RulePacks &packs,
                        clang::ASTContext &ctx);

// Records into out.streamFlows what flows into every stream slot in the TU's own code:
// initialisers, assignments, constructors' member initialisers, return values, descriptors
// filled (pipe2) or made non-blocking (fcntl). A slot written any other way (++, +=, its
// address taken, passed by non-const reference) gets an unknown source. Parameters are not
// recorded: the link phase reads what every call passes (CallEvent::streams).
void recordStreamFlows(clang::ASTContext &ctx, const RulePacks &packs, TUFacts &out);
// After the TU's functions are analysed: leaves out locals and results that are unknown (an
// absent slot is unknown to the link phase) and locals that no call or slot reads.
void pruneStreamFlows(TUFacts &out);

} // namespace lockcheck
