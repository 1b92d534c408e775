#include "large_stack.hpp"

#include "sanitizers.hpp"

#include <algorithm>
#include <exception>
#include <malloc.h>
#include <pthread.h>

namespace twin::sim {
namespace {

struct Job {
    const std::function<void()>* fn = nullptr;
    std::exception_ptr error;
};

void* run_job(void* arg) {
    auto* job = static_cast<Job*>(arg);
    try {
        (*job->fn)();
    } catch (...) {
        job->error = std::current_exception();
    }
    return nullptr;
}

} // namespace

std::size_t simgrid_stack_bytes(std::size_t links) {
    return std::max<std::size_t>(kMinStackBytes, 2 * links * 256);
}

void on_large_stack(std::size_t bytes, const std::function<void()>& fn) {
    // One malloc arena for the whole process: on its own arena (glibc gives each new thread one),
    // the engine thread's memory (SimGrid's platform, actors, the engine's state) was never reused
    // from what the main thread freed after building the cluster and trace, nor the reverse: the
    // 100,000-GPU benchmark rung peaked at 1.41 GB instead of 1.09 GB (MALLOC_ARENA_MAX=1 gave the
    // latter), the regression the README's table noted after the engine moved to this thread.
    (void)mallopt(M_ARENA_MAX, 1);
    Job job{&fn, nullptr};
    pthread_attr_t attr;
    pthread_t thread;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        started = pthread_attr_setstacksize(&attr, bytes) == 0 && pthread_create(&thread, &attr, run_job, &job) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) {
        fn();
        return;
    }
    pthread_join(thread, nullptr);
    if (job.error) {
        std::rethrow_exception(job.error);
    }
}

} // namespace twin::sim
