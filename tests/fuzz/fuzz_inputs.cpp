// libFuzzer targets over every input format: the checked JSON reader and each loader (scenario,
// trace, Chakra, catalog, workload, report.json as the GUI reads it back, sweep and checks files, and
// the build-out's floor plan, price table and schedule input). One source, built once per format with
// TWIN_FUZZ_FORMAT set.
//
// The contract being fuzzed: any byte string either loads or throws twin::InputError. Any other
// exception, a crash, a sanitizer report, a hang (libFuzzer's -timeout) or an allocation beyond
// -rss_limit_mb / -malloc_limit_mb is a bug. tools/fuzz.sh builds and runs these; CI runs each for a
// short fixed time with the bundled files as seed corpus.
#include "twin/buildout/bom.hpp"
#include "twin/buildout/cost.hpp"
#include "twin/buildout/load.hpp"
#include "twin/buildout/schedule.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/models/chakra.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/trace.hpp"
#include "twin/models/workload.hpp"
#include "twin/report/run_report.hpp"
#if TWIN_FUZZ_FORMAT >= 7
#include "twin/sweep/sweep.hpp"
#endif
#include "twin/topology/catalog.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

[[maybe_unused]] const fs::path kScenarioDir = fs::path(TWIN_SOURCE_DIR) / "scenarios";

// Reads every value of a document the ways loaders do (each reader either returns or throws
// InputError), without recursion.
[[maybe_unused]] void walk(const twin::Value& root) {
    std::vector<twin::Value> todo{root};
    while (!todo.empty()) {
        const twin::Value v = todo.back();
        todo.pop_back();
        if (v.is_object()) {
            twin::Object o = v.as_object();
            for (const auto& k : o.keys()) {
                todo.push_back(*o.find(k));
            }
            continue;
        }
        if (v.is_array()) {
            for (const auto& e : v.as_array().values()) {
                todo.push_back(e);
            }
            continue;
        }
        const auto attempt = [](auto&& f) {
            try {
                f();
            } catch (const twin::InputError&) {
            }
        };
        attempt([&] { (void)v.as_number(); });
        attempt([&] { (void)v.as_integer(-1000, 1000); });
        attempt([&] { (void)v.as_ratio(); });
        attempt([&] { (void)v.as_seconds(); });
        attempt([&] { (void)v.as_bytes(); });
        attempt([&] { (void)v.as_bandwidth(); });
        attempt([&] { (void)v.as_flop_rate(); });
        attempt([&] { (void)v.as_power(); });
        attempt([&] { (void)v.as_choice({"a", "b"}); });
    }
}

// The layout and BOM of one bundled SuperPOD scalable unit (price and schedule targets).
struct Su {
    twin::buildout::Layout layout;
    twin::buildout::Bom bom;
};
[[maybe_unused]] const Su& one_su() {
    static const Su su = [] {
        auto in = twin::buildout::load_buildout(kScenarioDir / "superpod-su-h100-256.json");
        Su s{twin::buildout::make_layout(in.cluster, std::move(in.floorplan)), {}};
        s.bom = twin::buildout::build_bom(in.cluster, s.layout);
        return s;
    }();
    return su;
}

void load(const std::string& text) {
#if TWIN_FUZZ_FORMAT == 0 // json
    walk(twin::Document::parse(text, "fuzz.json").root());
#elif TWIN_FUZZ_FORMAT == 1  // scenario (relative files resolve against the bundled scenarios)
    (void)twin::models::parse_scenario(text, "fuzz.json", kScenarioDir);
#elif TWIN_FUZZ_FORMAT == 2  // trace v1
    const auto doc = twin::Document::parse(text, "fuzz.json");
    (void)twin::models::load_trace(doc.root().as_object());
#elif TWIN_FUZZ_FORMAT == 3  // Chakra (jsonizer output of one rank)
    static const fs::path file = [] {
        std::string dir = (fs::temp_directory_path() / "twin_fuzz_chakra_XXXXXX").string();
        return fs::path(mkdtemp(dir.data())) / "rank0.json";
    }();
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    (void)twin::models::load_chakra({file});
#elif TWIN_FUZZ_FORMAT == 4  // catalog (merged into the builtin one, as a scenario's "catalog")
    static const twin::topology::Catalog builtin = twin::topology::Catalog::builtin();
    auto catalog = builtin;
    const auto doc = twin::Document::parse(text, "fuzz.json");
    catalog.merge(doc.root().as_object());
#elif TWIN_FUZZ_FORMAT == 5  // workload (on the cluster of one bundled SuperPOD scalable unit)
    static const twin::models::Scenario base = twin::models::load_scenario(kScenarioDir / "superpod-su-h100-256.json");
    const auto doc = twin::Document::parse(text, "fuzz.json");
    (void)twin::models::load_workload(doc.root().as_object(), {base.cluster, kScenarioDir});
#elif TWIN_FUZZ_FORMAT == 6  // report.json (RunReport from_json)
    const auto doc = twin::Document::parse(text, "fuzz.json");
    (void)twin::report::from_json(doc.root().json(), "fuzz.json");
#elif TWIN_FUZZ_FORMAT == 7  // sweep file (its base scenario resolved against scenarios/sweeps/)
    const auto doc = twin::Document::parse(text, "fuzz.json");
    const auto spec = twin::sweep::parse_sweep(doc.root().json(), "fuzz.json", kScenarioDir / "sweeps");
    // The parser bounds the cases (kMaxCases); expand only small sweeps, to keep each run fast.
    std::size_t cases = spec.mode == twin::sweep::Mode::Cases ? spec.cases.size() : 1;
    for (const auto& axis : spec.axes) {
        cases =
            spec.mode == twin::sweep::Mode::Zip ? axis.size() : std::min<std::size_t>(cases * axis.size(), 1U << 20U);
    }
    if (cases <= 64) {
        (void)twin::sweep::expand(spec);
    }
#elif TWIN_FUZZ_FORMAT == 8  // checks file (sweep --check)
    const auto doc = twin::Document::parse(text, "fuzz.json");
    (void)twin::sweep::parse_checks(doc.root().json(), "fuzz.json", kScenarioDir / "sweeps");
#elif TWIN_FUZZ_FORMAT == 9  // Chakra binary rank file (.et: length-delimited protobuf records)
    static const fs::path file = [] {
        std::string dir = (fs::temp_directory_path() / "twin_fuzz_chakra_et_XXXXXX").string();
        return fs::path(mkdtemp(dir.data())) / "rank0.et";
    }();
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    (void)twin::models::load_chakra({file});
#elif TWIN_FUZZ_FORMAT == 10 // serving request trace (JSONL), read by an llm-inference workload on one DGX H100
    static const twin::models::Scenario base = twin::models::load_scenario(kScenarioDir / "dgx-h100-1node.json");
    static const fs::path file = [] {
        std::string dir = (fs::temp_directory_path() / "twin_fuzz_serving_XXXXXX").string();
        return fs::path(mkdtemp(dir.data())) / "requests.jsonl";
    }();
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    const std::string workload =
        R"({"type": "llm-inference", "model": {"preset": "llama3-70b"}, "parallelism": {"tp": 8}, "precision": "fp8",
            "serving": {"requests": {"file": ")" +
        file.string() + R"("}, "scheduler": {"max_num_batched_tokens": 4096, "max_num_seqs": 128}}})";
    const auto doc = twin::Document::parse(workload, "fuzz.json");
    (void)twin::models::load_workload(doc.root().as_object(), {base.cluster, kScenarioDir});
#elif TWIN_FUZZ_FORMAT == 11 // floor plan (a scenario's "floorplan" value) laid out on one SuperPOD SU
    static const auto su = twin::buildout::load_buildout(kScenarioDir / "superpod-su-h100-256.json");
    const auto doc = twin::Document::parse(text, "fuzz.json");
    auto plan = twin::buildout::read_floorplan(doc.root(), "fuzz.json", kScenarioDir);
    (void)twin::buildout::load_named_inputs(plan);
    const auto layout = twin::buildout::make_layout(su.cluster, std::move(plan));
    (void)twin::buildout::build_bom(su.cluster, layout);
#elif TWIN_FUZZ_FORMAT == 12 // price table, priced on one SuperPOD SU's BOM
    (void)twin::buildout::compute_cost(one_su().bom, twin::buildout::parse_prices(text, "fuzz.json"), 3e5, 1e6);
#elif TWIN_FUZZ_FORMAT == 13 // schedule input (lead times, install rates) on one SuperPOD SU's BOM
    const auto input = twin::buildout::parse_schedule_input(text, "fuzz.json");
    const auto& su = one_su();
    (void)twin::buildout::format_schedule(twin::buildout::make_schedule(su.bom, su.layout, input), input);
#else
#error "TWIN_FUZZ_FORMAT must be 0..13"
#endif
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        load(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const twin::InputError&) {
        // The expected way for bad input to end.
    }
    return 0;
}
