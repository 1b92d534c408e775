// Runs a function on a thread with a large stack. SimGrid 3.32 updates the sharing of a connected
// set of flows by recursion in maestro (lmm::System::update_modified_cnst_set_rec, about 100 B a
// frame, one frame per link direction of the set): over a 100,000-GPU fabric (about a million
// link directions) that overflows the 8 MiB main-thread stack and the process dies with SIGSEGV.
// The engine therefore runs on a thread whose stack holds that recursion for every link of the
// cluster; the stack is reserved, not used, until the recursion reaches it.
#pragma once

#include "sanitizers.hpp"

#include <cstddef>
#include <functional>

namespace twin::sim {

// The smallest stack: 64 MiB, or 48 MiB under AddressSanitizer, which cannot clean up after an
// exception on a stack of more than 64 MiB (it warns on stderr, "ASan is ignoring requested
// __asan_handle_no_return", and then reports false stack-use-after-scope errors; SimGrid throws
// to end its actors).
inline constexpr std::size_t kMinStackBytes = (kAddressSanitizer ? std::size_t{48} : std::size_t{64}) << 20U;

// Stack for a SimGrid run over `links` cables (two directions each): 256 B a direction, at least
// kMinStackBytes.
[[nodiscard]] std::size_t simgrid_stack_bytes(std::size_t links);

// Calls `fn` on a new thread with a stack of `bytes` and waits for it; an exception `fn` throws
// is rethrown here. Sets glibc's M_ARENA_MAX to 1 (process-wide) so the thread allocates from the
// main arena (see large_stack.cpp). Falls back to calling `fn` directly if no such thread can be created.
void on_large_stack(std::size_t bytes, const std::function<void()>& fn);

} // namespace twin::sim
