#include "twin/models/workload.hpp"

#include "twin/core/input_file.hpp"
#include "workload_types.hpp"

#include <fmt/format.h>
#include <map>

namespace twin::models {
namespace {

std::map<std::string, WorkloadLoader>& registry() {
    static std::map<std::string, WorkloadLoader> r;
    return r;
}

// The built-in "trace" type: a trace v1 inline ("trace") or in a file ("file").
Trace load_trace_workload(Object workload, const WorkloadContext& context) {
    auto file = workload.find("file");
    auto inline_trace = workload.find("trace");
    if (file && inline_trace) {
        workload.fail("give either \"file\" or \"trace\", not both");
    }
    if (!file && !inline_trace) {
        workload.fail_at("file", "missing required key \"file\" (or an inline \"trace\")");
    }
    workload.finish();
    if (inline_trace) {
        return load_trace(inline_trace->as_object());
    }
    const std::filesystem::path path = context.base_dir / file->as_string();
    if (const std::string why = missing_reason(path); !why.empty()) {
        file->fail(fmt::format("trace file \"{}\" {}", path.string(), why));
    }
    return load_trace_file(path);
}

void ensure_builtin_types() {
    static const bool done = [] {
        detail::register_trace_workload();
        detail::register_llm_training_workload();
        detail::register_llm_inference_workload();
        detail::register_chakra_workload();
        return true;
    }();
    (void)done;
}

} // namespace

namespace detail {
void register_trace_workload() {
    register_workload_type("trace", load_trace_workload);
}
} // namespace detail

bool register_workload_type(const std::string& type, WorkloadLoader loader) {
    registry()[type] = std::move(loader);
    return true;
}

std::vector<std::string> workload_types() {
    ensure_builtin_types();
    std::vector<std::string> out;
    for (const auto& [k, v] : registry()) {
        out.push_back(k);
    }
    return out;
}

Trace load_workload(Object workload, const WorkloadContext& context) {
    const auto types = workload_types(); // also registers the built-in type
    const Value type = workload.at("type");
    const std::string name = type.as_string();
    const auto it = registry().find(name);
    if (it == registry().end()) {
        std::string list;
        for (const auto& t : types) {
            list += (list.empty() ? "" : ", ") + t;
        }
        type.fail(fmt::format("unknown workload type \"{}\": expected one of {}", name, list));
    }
    return it->second(std::move(workload), context);
}

} // namespace twin::models
