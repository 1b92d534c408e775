// The fluid solver's memo of connected sets by shape (fluid.hpp, the top).
#include "fluid.hpp"

#include <cstring>

namespace twin::sim {
namespace {

// The memo's bounds: sets of more flows are solved each time (large sets rarely repeat, and the
// higher-level caches catch whole phases), and the shapes held at most, in 8-byte words (the
// memo is cleared when full: 64 MB).
constexpr std::size_t kMemoMaxFlows = 1024;
constexpr std::size_t kMemoWords = std::size_t{8} << 20;

std::uint64_t bits(double x) {
    std::uint64_t b = 0;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

} // namespace

std::size_t FluidSolver::ShapeHash::operator()(const std::vector<std::uint64_t>& key) const {
    std::uint64_t h = key.size();
    for (const auto k : key) {
        h = (h ^ k) * 0x100000001b3ULL; // FNV-1a style over words
        h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
}

// The set's shape (see fluid.hpp); a set solved before gets its times copied.
bool FluidSolver::recall(std::vector<double>& times) {
    const auto& phase = *phase_;
    shape_.clear();
    set_flows_.clear();
    if (active_.size() > kMemoMaxFlows) {
        return false;
    }
    shape_.push_back(set_slots_.size());
    for (std::size_t i = 0; i < set_slots_.size(); ++i) {
        set_pos_[set_slots_[i]] = static_cast<std::uint32_t>(i);
        shape_.push_back(bits(bandwidth_[set_slots_[i]]));
    }
    shape_.push_back(active_.size());
    for (auto f : active_) {
        shape_.push_back(bits(phase.bytes[f]));
        shape_.push_back(bits(weight_[f]));
        shape_.push_back(phase.begin[f + 1] - phase.begin[f]);
        for (auto k = phase.begin[f]; k < phase.begin[f + 1]; ++k) {
            shape_.push_back(set_pos_[local_[k]]);
        }
    }
    set_flows_.assign(active_.begin(), active_.end());
    const auto it = memo_.find(shape_);
    if (it == memo_.end()) {
        return false;
    }
    for (std::size_t i = 0; i < active_.size(); ++i) {
        times[active_[i]] = it->second[i];
        fixed_[active_[i]] = kDone;
    }
    ended_ += active_.size();
    active_.clear();
    if (progress_) {
        progress_(ended_, phase.bytes.size());
    }
    return true;
}

void FluidSolver::remember(const std::vector<double>& times) {
    if (set_flows_.empty()) { // not for the memo (recall)
        return;
    }
    if (memo_words_ + shape_.size() + set_flows_.size() > kMemoWords) {
        memo_.clear();
        memo_words_ = 0;
    }
    memo_words_ += shape_.size() + set_flows_.size();
    std::vector<double> set_times;
    set_times.reserve(set_flows_.size());
    for (auto f : set_flows_) {
        set_times.push_back(times[f]);
    }
    memo_.emplace(shape_, std::move(set_times));
}

} // namespace twin::sim
