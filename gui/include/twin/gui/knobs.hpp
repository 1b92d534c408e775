// The what-if knobs: the scenario keys users change most, each named by its JSON pointer, and the
// plain-JSON operations behind the editor (read, set, remove a key by pointer; validate a whole
// document with the loader the CLI uses; rebase relative paths when a scenario moves folder).
#pragma once

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace twin::gui {

enum class KnobKind { Integer, Text, Choice };

struct Knob {
    std::string pointer; // e.g. "/workload/parallelism/tp"
    QString group;       // "Cluster", "Network", "Workload", "Power and cooling"
    QString label;
    KnobKind kind = KnobKind::Text;
    QStringList choices; // Choice: offered values (the field stays editable)
    QString hint;        // placeholder: the default or an example ("600W")
};

// The knobs in display order.
[[nodiscard]] const std::vector<Knob>& knobs();

// The value at `pointer` as the editor shows it ("" when absent or null).
[[nodiscard]] QString knob_text(const nlohmann::json& doc, const std::string& pointer);
// `doc` with the knob's key set from `text` (Integer: a JSON integer when the text is one, else the
// text so the loader names the bad value; "" removes the key; parents are created as objects).
[[nodiscard]] nlohmann::json with_knob(const nlohmann::json& doc, const Knob& knob, const QString& text);

struct ValidationError {
    std::string file, pointer, message;
    [[nodiscard]] QString line() const; // "<file>: <pointer>: <message>", as the CLI prints it
};

// Loads the document with models::parse_scenario (the CLI's loader: every key, every range, the
// catalog, the topology build and the workload generation) resolving relative paths against
// `base_dir`. nullopt when the CLI would accept it.
[[nodiscard]] std::optional<ValidationError> validate_scenario(const nlohmann::json& doc, const std::string& file,
                                                               const std::string& base_dir);

// The knob whose pointer is `pointer` or a prefix of it (the deepest), if any.
[[nodiscard]] const Knob* knob_for_pointer(const std::string& pointer);

// `doc` with its relative file paths (/workload/file, /run/output_dir) rewritten so that they name
// the same files from `to_dir` as they did from `from_dir`.
[[nodiscard]] nlohmann::json rebase_paths(const nlohmann::json& doc, const QString& from_dir, const QString& to_dir);

} // namespace twin::gui
