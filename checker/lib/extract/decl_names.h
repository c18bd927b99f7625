// Names of declarations as the rest of lockcheck sees them: normalised qualified
// names for pack matching, printable names for messages, and stable function keys.
#pragma once

#include <string>

namespace clang {
class ASTContext;
class FunctionDecl;
class NamedDecl;
class QualType;
class SourceManager;
class SourceLocation;
} // namespace clang

namespace lockcheck {

struct SourcePoint;

// "std::basic_ifstream::open": no template arguments, no inline namespaces.
std::string normalizedName(const clang::NamedDecl *decl);
// The class behind a type (through references, pointers, typedefs, optional is NOT
// unwrapped): "std::unique_lock". Empty for non-class types.
std::string normalizedTypeName(clang::QualType type);
// For messages: "Store::verify", "lambda at auth.cpp:12".
std::string displayName(const clang::FunctionDecl *fn, const clang::SourceManager &sm);
// Identifies one function across translation units (USR based; lambdas by location).
std::string functionKey(const clang::FunctionDecl *fn, const clang::SourceManager &sm);
// Where to point the user: file as given (relative to the working directory when below it).
SourcePoint sourcePoint(const clang::SourceManager &sm, clang::SourceLocation loc);
// Path shown to the user: relative to the working directory when below it.
std::string displayPath(const std::string &path);

} // namespace lockcheck
