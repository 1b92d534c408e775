// Registration hooks of the built-in workload types. Each type's file defines its hook, and
// workload.cpp calls them once: a static library drops object files nobody references, so types
// cannot rely on static initialisers to register themselves.
#pragma once

namespace twin::models::detail {

void register_trace_workload();
void register_llm_training_workload();
void register_llm_inference_workload();
void register_chakra_workload();

} // namespace twin::models::detail
