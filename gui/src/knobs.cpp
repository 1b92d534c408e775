// The knob table and JSON operations of the what-if editor (knobs.hpp).
#include "twin/gui/knobs.hpp"

#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"

#include <QDir>
#include <QFileInfo>

namespace twin::gui {

const std::vector<Knob>& knobs() {
    static const QStringList kNodes{"DGX-H100", "HGX-H200", "DGX-B200", "DGX-A100", "GB200-NVL72"};
    static const QStringList kSwitches{"QM9700", "QM8700"};
    static const QStringList kCables{"NDR-DAC", "NDR-optical", "XDR-DAC", "XDR-optical"};
    static const std::vector<Knob> kKnobs{
        {"/topology/nodes/0/type", "Cluster", "Node type (GPU, scale-up domain)", KnobKind::Choice, kNodes, ""},
        {"/topology/nodes/0/count", "Cluster", "Nodes", KnobKind::Integer, {}, "1"},
        {"/topology/racks/nodes_per_rack", "Cluster", "Nodes per rack", KnobKind::Integer, {}, "1"},
        {"/topology/fabric/type",
         "Network",
         "Fabric type",
         KnobKind::Choice,
         {"rail-optimized-fat-tree", "fat-tree", "explicit"},
         "required with more than one node"},
        {"/topology/fabric/access_cable", "Network", "Access cable (NIC speed)", KnobKind::Choice, kCables, ""},
        {"/topology/fabric/rails", "Network", "Rails (check)", KnobKind::Integer, {}, "the node's rails"},
        {"/topology/fabric/nodes_per_leaf_group", "Network", "Nodes per leaf group", KnobKind::Integer, {}, ""},
        {"/topology/fabric/tiers/0/switch", "Network", "Leaf switch", KnobKind::Choice, kSwitches, ""},
        {"/topology/fabric/tiers/0/oversubscription", "Network", "Leaf oversubscription", KnobKind::Text, {}, "1:1"},
        {"/topology/fabric/tiers/0/uplink_cable", "Network", "Leaf uplink cable", KnobKind::Choice, kCables, ""},
        {"/topology/fabric/tiers/1/switch", "Network", "Spine switch", KnobKind::Choice, kSwitches, ""},
        {"/topology/fabric/technology",
         "Network",
         "Technology",
         KnobKind::Choice,
         {"infiniband", "roce", "spectrum-x"},
         "infiniband"},
        {"/topology/fabric/routing", "Network", "Routing", KnobKind::Choice, {"ecmp", "adaptive"}, "ecmp"},
        {"/workload/parallelism/tp", "Workload", "Tensor parallel (tp)", KnobKind::Integer, {}, "1"},
        {"/workload/parallelism/pp", "Workload", "Pipeline parallel (pp)", KnobKind::Integer, {}, "1"},
        {"/workload/parallelism/cp", "Workload", "Context parallel (cp)", KnobKind::Integer, {}, "1"},
        {"/workload/parallelism/dp", "Workload", "Data parallel (dp)", KnobKind::Integer, {}, ""},
        {"/workload/batch/global_batch", "Workload", "Global batch", KnobKind::Integer, {}, ""},
        {"/workload/batch/micro_batch", "Workload", "Micro batch", KnobKind::Integer, {}, "1"},
        {"/workload/precision", "Workload", "Precision", KnobKind::Choice, {"bf16", "fp16", "fp8"}, ""},
        {"/workload/recompute", "Workload", "Recompute", KnobKind::Choice, {"none", "selective", "full"}, "none"},
        {"/facility/gpu/power_cap", "Power and cooling", "GPU power cap", KnobKind::Text, {}, "e.g. 600W"},
        {"/facility/cooling/type",
         "Power and cooling",
         "Cooling",
         KnobKind::Choice,
         {"air", "rear-door", "liquid"},
         "the node type's"},
        {"/facility/cooling/rack_capacity",
         "Power and cooling",
         "Rack cooling capacity",
         KnobKind::Text,
         {},
         "e.g. 45kW"},
        {"/facility/feed", "Power and cooling", "Facility feed limit", KnobKind::Text, {}, "e.g. 2MW"},
        {"/facility/rack_power_limit", "Power and cooling", "Rack power limit", KnobKind::Text, {}, "e.g. 50kW"},
    };
    return kKnobs;
}

QString knob_text(const nlohmann::json& doc, const std::string& pointer) {
    const nlohmann::json::json_pointer p(pointer);
    if (!doc.contains(p)) {
        return {};
    }
    const auto& v = doc.at(p);
    if (v.is_string()) {
        return QString::fromStdString(v.get<std::string>());
    }
    return v.is_null() ? QString() : QString::fromStdString(v.dump());
}

namespace {

// Removes the key at `p` and then its parents that became empty objects.
void remove_key(nlohmann::json& doc, nlohmann::json::json_pointer p) {
    while (!p.empty() && doc.contains(p)) {
        const auto key = p.back();
        auto parent = p.parent_pointer();
        auto& obj = doc.at(parent);
        if (obj.is_object()) {
            obj.erase(key);
        } else if (obj.is_array()) {
            break; // never shift the elements of an array
        }
        if (!obj.empty() || parent.empty()) {
            break;
        }
        p = parent;
    }
}

} // namespace

nlohmann::json with_knob(const nlohmann::json& doc, const Knob& knob, const QString& text) {
    nlohmann::json out = doc;
    const nlohmann::json::json_pointer p(knob.pointer);
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        remove_key(out, p);
        return out;
    }
    nlohmann::json value = t.toStdString();
    if (knob.kind == KnobKind::Integer) {
        bool ok = false;
        const qlonglong n = t.toLongLong(&ok);
        if (ok) {
            value = n;
        }
    }
    // Walk down, creating missing parents as objects. An array element is reached only when it
    // exists or is the next one (appended); a knob below anything else does not apply here.
    std::vector<std::string> tokens;
    for (auto q = p; !q.empty(); q = q.parent_pointer()) {
        tokens.insert(tokens.begin(), q.back());
    }
    nlohmann::json* node = &out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const bool last = i + 1 == tokens.size();
        if (node->is_array()) {
            const QString t_index = QString::fromStdString(tokens[i]);
            bool ok = false;
            const auto index = t_index.toULongLong(&ok);
            if (!ok || index > node->size()) {
                return doc;
            }
            if (index == node->size()) {
                node->push_back(nlohmann::json::object());
            }
            node = &(*node)[index];
        } else if (node->is_object() || node->is_null()) {
            if (!last && !node->contains(tokens[i])) {
                (*node)[tokens[i]] = nlohmann::json::object();
            }
            node = &(*node)[tokens[i]];
        } else {
            return doc;
        }
    }
    *node = value;
    return out;
}

QString ValidationError::line() const {
    return QString::fromStdString(file + ": " + pointer + ": " + message);
}

std::optional<ValidationError> validate_scenario(const nlohmann::json& doc, const std::string& file,
                                                 const std::string& base_dir) {
    try {
        (void)models::parse_scenario(doc.dump(), file, base_dir);
    } catch (const InputError& e) {
        return ValidationError{e.file(), e.pointer(), e.message()};
    } catch (const std::exception& e) {
        return ValidationError{file, "/", e.what()};
    }
    return std::nullopt;
}

const Knob* knob_for_pointer(const std::string& pointer) {
    const Knob* best = nullptr;
    for (const auto& k : knobs()) {
        const bool prefix = pointer == k.pointer ||
                            (pointer.size() > k.pointer.size() &&
                             pointer.compare(0, k.pointer.size(), k.pointer) == 0 && pointer[k.pointer.size()] == '/');
        if (prefix && (best == nullptr || k.pointer.size() > best->pointer.size())) {
            best = &k;
        }
    }
    return best;
}

nlohmann::json rebase_paths(const nlohmann::json& doc, const QString& from_dir, const QString& to_dir) {
    nlohmann::json out = doc;
    const QDir from(from_dir), to(to_dir);
    for (const char* key : {"/workload/file", "/run/output_dir"}) {
        const nlohmann::json::json_pointer p(key);
        if (!out.contains(p) || !out.at(p).is_string()) {
            continue;
        }
        const QString path = QString::fromStdString(out.at(p).get<std::string>());
        if (QFileInfo(path).isAbsolute()) {
            continue;
        }
        out[p] = to.relativeFilePath(QDir::cleanPath(from.absoluteFilePath(path))).toStdString();
    }
    return out;
}

} // namespace twin::gui
