// The what-if editor: a scenario document (plain JSON) edited through the knobs of knobs.hpp or as
// raw JSON, every change an undoable command (QUndoStack; consecutive keystrokes in one field merge
// into one step), validated as you type by the CLI's own loader (knobs.hpp, validate_scenario):
// the message carries the JSON pointer and the knob at that pointer is marked. Save as writes a
// scenario the CLI accepts, its relative paths rebased to the new folder.
#pragma once

#include "twin/gui/knobs.hpp"

#include <QWidget>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTabWidget;
class QTimer;
class QUndoStack;

namespace twin::gui {

class ScenarioEditor : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioEditor(QWidget* parent = nullptr);

    // Opens a scenario file: false (and error_line() set) when it is not readable JSON.
    bool open(const QString& path);
    // Writes the document (paths rebased) and makes `path` the current file.
    bool save_as(const QString& path);
    [[nodiscard]] const nlohmann::json& document() const { return doc_; }
    [[nodiscard]] const QString& file() const { return file_; }
    [[nodiscard]] QString base_dir() const;
    [[nodiscard]] QUndoStack* undo_stack() const { return undo_; }

    // Sets a knob as if typed (one undo step).
    void set_knob(const std::string& pointer, const QString& text);
    // Replaces the document (one undo step), as the raw JSON tab's Apply does.
    void set_document(const nlohmann::json& doc, const QString& what);
    // Validates now (the editor otherwise validates 250 ms after the last change).
    std::optional<ValidationError> validate_now();
    [[nodiscard]] const QString& error_line() const { return error_line_; }
    // The field of a knob, for tests and keyboard focus; nullptr when unknown.
    [[nodiscard]] QLineEdit* field(const std::string& pointer) const;
    [[nodiscard]] QString field_message(const std::string& pointer) const;
    [[nodiscard]] QPlainTextEdit* raw_editor() const { return raw_; }
    [[nodiscard]] QTabWidget* tabs() const { return tabs_; }
    [[nodiscard]] QString raw_status() const;

signals:
    void validated(bool ok, const QString& line);
    void document_changed();

private:
    friend class DocumentCommand;
    void apply_document(const nlohmann::json& doc); // no undo step: commands call it
    void refresh_fields();
    void apply_raw();
    void show_error(const std::optional<ValidationError>& e);

    nlohmann::json doc_ = nlohmann::json::object();
    QString file_;
    QString error_line_;
    QUndoStack* undo_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QPlainTextEdit* raw_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* raw_status_ = nullptr;
    QTimer* timer_ = nullptr;
    std::map<std::string, QLineEdit*> fields_;
    std::map<std::string, QString> field_messages_;
    bool updating_ = false;
};

} // namespace twin::gui
