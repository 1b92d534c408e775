#include "sweep_progress.hpp"

#include <algorithm>
#include <simgrid/s4u/Activity.hpp>
#include <simgrid/s4u/Comm.hpp>

namespace twin::sim {

SweepProgress::SweepProgress(std::function<void(double)> report, double total, std::int64_t check_every)
    : report_(std::move(report)), total_(total), mask_(check_every - 1), last_(std::chrono::steady_clock::now()) {}

void SweepProgress::add(double work) {
    at(done_ + work);
}

void SweepProgress::at(double work) {
    done_ = work;
    if (!report_ || (++calls_ & mask_) != 0) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) {
        return;
    }
    last_ = now;
    report_(total_ > 0 ? std::min(0.999, done_ / total_) : 0.0);
}

void SweepProgress::finish() {
    if (report_) {
        report_(1.0);
    }
}

std::shared_ptr<SweepProgress>
watch_simgrid_flows(const topology::Cluster& cluster, const SweepSpec& spec,
                    const std::vector<std::pair<models::Algorithm, models::Protocol>>& variants) {
    const int node = cluster.node_of_gpu(spec.members.front());
    const bool analytic = !spec.unfolded && std::all_of(spec.members.begin(), spec.members.end(),
                                                        [&](int gpu) { return cluster.node_of_gpu(gpu) == node; });
    double flows = 0.0;
    if (!analytic) { // the scale-up shortcut plays no flow
        models::CollectivePlanner planner(cluster);
        for (double size : spec.sizes_bytes) {
            for (const auto& [a, p] : variants) {
                models::CollectivePlan plan;
                try {
                    plan = planner.plan(spec.kind, spec.members, Bytes(size), 0, a, p);
                } catch (const models::UnsupportedAlgorithm&) {
                    continue; // the engine reports it at the op
                }
                for (const auto& phase : plan.phases) {
                    flows += static_cast<double>(phase.flows.size());
                }
            }
        }
    }
    auto progress = std::make_shared<SweepProgress>(spec.progress, flows, 256);
    if (spec.progress) {
        // One engine per process: the connection lives as long as the process, the counter with it.
        simgrid::s4u::Activity::on_completion_cb([progress](const simgrid::s4u::Activity& a) {
            if (dynamic_cast<const simgrid::s4u::Comm*>(&a) != nullptr) {
                progress->add(1.0);
            }
        });
    }
    return progress;
}

} // namespace twin::sim
