// Writes a Trace back as workload trace v1 JSON (format: models/README.md, "Trace export"), so that
// a generated or imported workload (llm-training, chakra, ...) can be saved, read, edited and run
// as a plain "trace" workload. load_trace(trace_to_json(t)) gives back t, blocks and repeats
// included; what trace v1 has no key for is not written: Trace::file, Op::pointer, Trace::info.
#pragma once

#include "twin/models/trace.hpp"

#include <nlohmann/json.hpp>

namespace twin::models {

// The whole trace: schema_version, name, ranks, groups (strided form where a family matches one,
// explicit "members" otherwise), classes.
[[nodiscard]] nlohmann::json trace_to_json(const Trace& trace);

// The steps of `block` as a trace v1 "program"/"body" array; family names are looked up in
// `trace`. Deterministic: two equal blocks give equal JSON (the Chakra importer relies on this to
// find ranks with the same program).
[[nodiscard]] nlohmann::json steps_to_json(const Trace& trace, const Block& block);

} // namespace twin::models
