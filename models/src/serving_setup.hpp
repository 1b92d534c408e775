// Request mode of the "llm-inference" loader (serving_setup.cpp; model: serving.hpp).
#pragma once

#include "twin/models/llm_inference.hpp"
#include "twin/models/serving.hpp"
#include "twin/topology/cluster.hpp"

#include <memory>

namespace twin::models {

// P_a, O_a (mean lengths), B = max_num_seqs and the mean arrival rate from c.serving's requests.
void set_serving_anchor(InferenceConfig& c);
// B_a = min(max_num_seqs, the largest batch of (P_a + O_a)-token sequences that fits on `gpu`).
void fit_serving_anchor(InferenceConfig& c, const topology::GpuType& gpu);
// The setup of the request simulation; `anchor` is the generated steady-state trace of `c`.
// InputError at <self>/serving when the replicas do not fit the cluster or a request the cache.
[[nodiscard]] std::shared_ptr<const ServingSetup> make_serving_setup(const InferenceConfig& c,
                                                                     const topology::Cluster& cluster,
                                                                     const topology::GpuType& gpu, const Value& self,
                                                                     const Trace& anchor);

} // namespace twin::models
