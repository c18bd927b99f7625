// Included first in every checker source of an ASan build (through the precompiled
// header, checker/CMakeLists.txt).
//
// LLVM's headers poison and unpoison BumpPtrAllocator memory when the including code
// is built with ASan. Debian's libLLVM and libclang-cpp are not, so a slab started by
// one of our inlined allocations (Clang allocates from the ASTContext inside inline
// header code, e.g. while RecursiveASTVisitor walks redeclarations) is poisoned whole,
// the uninstrumented library then places its own objects in it without unpoisoning,
// and our next read of them is reported as use-after-poison. Making the header-side
// annotations no-ops treats the allocator like the library does: uninstrumented.
// The rest of ASan (heap, stack, globals, use-after-free of malloc'd memory) is kept.
#pragma once

#if defined(__SANITIZE_ADDRESS__) // GCC, and Clang since 19
#define LOCKCHECK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKCHECK_ASAN 1
#endif
#endif

#ifdef LOCKCHECK_ASAN
#include <sanitizer/asan_interface.h>
#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#define __asan_unpoison_memory_region(addr, size) ((void)(addr), (void)(size))
#endif
