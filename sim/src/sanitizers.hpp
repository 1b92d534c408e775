// Whether this build runs under AddressSanitizer: GCC defines __SANITIZE_ADDRESS__, clang answers
// __has_feature(address_sanitizer). SimGrid's context switching and very large thread stacks need
// care there (run.cpp, large_stack.cpp).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define TWIN_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TWIN_HAS_ASAN 1
#endif
#endif
#ifndef TWIN_HAS_ASAN
#define TWIN_HAS_ASAN 0
#endif

namespace twin::sim {
inline constexpr bool kAddressSanitizer = TWIN_HAS_ASAN != 0;
} // namespace twin::sim
