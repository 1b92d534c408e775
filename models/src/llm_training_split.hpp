// Layers per pipeline stage and model chunk (internal to the training generator; equations and
// sources at the top of llm_training_split.cpp).
#pragma once

#include "twin/models/llm_training.hpp"

namespace twin::models::detail {

// Reads virtual_stages / layers_per_virtual_stage, pipeline_layers, first/last_stage_layers and
// account_for_embedding/loss_in_pipeline_split from the parallelism object, and sets
// p.virtual_stages, p.stage_layers and p.chunk_layers (p.pp and p.schedule already read).
void read_pipeline_split(Object& par, TrainingParallelism& p, std::int64_t layers);

} // namespace twin::models::detail
