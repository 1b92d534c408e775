// ScenarioEditor (scenario_editor.hpp).
#include "twin/gui/scenario_editor.hpp"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace twin::gui {

// One undoable change of the document. Commands with the same merge key (one knob's keystrokes)
// merge into one step.
class DocumentCommand : public QUndoCommand {
public:
    DocumentCommand(ScenarioEditor* editor, nlohmann::json before, nlohmann::json after, const QString& text,
                    int merge_key)
        : QUndoCommand(text), editor_(editor), before_(std::move(before)), after_(std::move(after)),
          merge_key_(merge_key) {}
    void undo() override { editor_->apply_document(before_); }
    void redo() override { editor_->apply_document(after_); }
    [[nodiscard]] int id() const override { return merge_key_; }
    bool mergeWith(const QUndoCommand* other) override {
        if (other->id() != id() || merge_key_ < 0) {
            return false;
        }
        after_ = static_cast<const DocumentCommand*>(other)->after_;
        return true;
    }

private:
    ScenarioEditor* editor_;
    nlohmann::json before_, after_;
    int merge_key_;
};

ScenarioEditor::ScenarioEditor(QWidget* parent)
    : QWidget(parent), undo_(new QUndoStack(this)), tabs_(new QTabWidget(this)), raw_(new QPlainTextEdit(this)),
      status_(new QLabel(this)), raw_status_(new QLabel(this)), timer_(new QTimer(this)) {
    setObjectName("scenario_editor");
    timer_->setSingleShot(true);
    timer_->setInterval(250);
    connect(timer_, &QTimer::timeout, this, [this] { validate_now(); });

    auto* form_host = new QWidget;
    auto* form_layout = new QGridLayout(form_host); // groups in two columns
    QGroupBox* box = nullptr;
    QFormLayout* form = nullptr;
    int key = 0;
    for (const auto& k : knobs()) {
        if (box == nullptr || box->title() != k.group) {
            box = new QGroupBox(k.group, form_host);
            form = new QFormLayout(box);
            const int n = form_layout->count();
            form_layout->addWidget(box, n / 2, n % 2);
        }
        QLineEdit* edit = nullptr;
        QWidget* widget = nullptr;
        if (k.kind == KnobKind::Choice) {
            auto* combo = new QComboBox(box);
            combo->setEditable(true);
            combo->addItems(k.choices);
            combo->setCurrentIndex(-1);
            edit = combo->lineEdit();
            widget = combo;
        } else {
            edit = new QLineEdit(box);
            widget = edit;
        }
        edit->setPlaceholderText(k.hint);
        edit->setToolTip(QString::fromStdString(k.pointer));
        auto* label = new QLabel(k.label, box);
        label->setBuddy(widget);
        label->setToolTip(QString::fromStdString(k.pointer));
        form->addRow(label, widget);
        fields_[k.pointer] = edit;
        const int merge_key = key++;
        connect(edit, &QLineEdit::textChanged, this, [this, &k, merge_key](const QString& text) {
            if (updating_) {
                return;
            }
            auto after = with_knob(doc_, k, text);
            if (after != doc_) {
                undo_->push(new DocumentCommand(this, doc_, std::move(after), "set " + k.label, merge_key));
            }
        });
    }
    form_layout->setRowStretch(form_layout->rowCount(), 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(form_host);
    scroll->setWidgetResizable(true);
    tabs_->addTab(scroll, "What-if knobs");

    auto* raw_host = new QWidget;
    auto* raw_layout = new QVBoxLayout(raw_host);
    raw_->setObjectName("raw_json");
    raw_->setLineWrapMode(QPlainTextEdit::NoWrap);
    raw_->setFont(QFont("Monospace"));
    raw_layout->addWidget(raw_, 1);
    auto* raw_bar = new QHBoxLayout;
    auto* apply = new QPushButton("&Apply JSON", raw_host);
    apply->setObjectName("apply_json");
    connect(apply, &QPushButton::clicked, this, &ScenarioEditor::apply_raw);
    raw_bar->addWidget(raw_status_, 1);
    raw_bar->addWidget(apply);
    raw_layout->addLayout(raw_bar);
    tabs_->addTab(raw_host, "Raw JSON");

    status_->setObjectName("validation_status");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs_, 1);
    layout->addWidget(status_);
}

QString ScenarioEditor::base_dir() const {
    return file_.isEmpty() ? QString(".") : QFileInfo(file_).absolutePath();
}

bool ScenarioEditor::open(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        error_line_ = path + ": /: cannot read: " + f.errorString();
        status_->setText(error_line_);
        return false;
    }
    const QByteArray bytes = f.readAll();
    auto doc = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        error_line_ = path + ": /: not a JSON object";
        status_->setText(error_line_);
        return false;
    }
    file_ = QFileInfo(path).absoluteFilePath();
    undo_->clear();
    apply_document(doc);
    undo_->setClean();
    validate_now();
    return true;
}

bool ScenarioEditor::save_as(const QString& path) {
    const QString to_dir = QFileInfo(path).absolutePath();
    const auto doc = rebase_paths(doc_, base_dir(), to_dir);
    QSaveFile f(path);
    const std::string text = doc.dump(2) + "\n";
    if (!f.open(QIODevice::WriteOnly) || f.write(text.data(), static_cast<qint64>(text.size())) < 0 || !f.commit()) {
        error_line_ = path + ": /: cannot write: " + f.errorString();
        status_->setText(error_line_);
        return false;
    }
    file_ = QFileInfo(path).absoluteFilePath();
    apply_document(doc); // same files, now relative to the new folder
    undo_->setClean();
    return true;
}

void ScenarioEditor::set_knob(const std::string& pointer, const QString& text) {
    if (QLineEdit* e = field(pointer)) {
        e->setText(text); // textChanged pushes the command
    }
}

void ScenarioEditor::set_document(const nlohmann::json& doc, const QString& what) {
    if (doc != doc_) {
        undo_->push(new DocumentCommand(this, doc_, doc, what, -1));
    }
}

void ScenarioEditor::apply_document(const nlohmann::json& doc) {
    doc_ = doc;
    refresh_fields();
    emit document_changed();
    timer_->start();
}

void ScenarioEditor::refresh_fields() {
    updating_ = true;
    for (const auto& k : knobs()) {
        QLineEdit* e = fields_.at(k.pointer);
        const QString text = knob_text(doc_, k.pointer);
        if (e->text() != text) {
            e->setText(text);
        }
    }
    const QString raw = QString::fromStdString(doc_.dump(2));
    if (raw_->toPlainText() != raw) {
        raw_->setPlainText(raw);
    }
    raw_status_->clear();
    updating_ = false;
}

void ScenarioEditor::apply_raw() {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(raw_->toPlainText().toStdString());
    } catch (const nlohmann::json::parse_error& e) {
        raw_status_->setText(QString("raw JSON: ") + e.what());
        return;
    }
    if (!doc.is_object()) {
        raw_status_->setText("raw JSON: not an object");
        return;
    }
    set_document(doc, "edit raw JSON");
}

std::optional<ValidationError> ScenarioEditor::validate_now() {
    timer_->stop();
    const std::string name = file_.isEmpty() ? "untitled.json" : QFileInfo(file_).fileName().toStdString();
    auto e = validate_scenario(doc_, name, base_dir().toStdString());
    show_error(e);
    return e;
}

void ScenarioEditor::show_error(const std::optional<ValidationError>& e) {
    for (auto& [pointer, edit] : fields_) {
        edit->setStyleSheet({});
        edit->setToolTip(QString::fromStdString(pointer));
    }
    field_messages_.clear();
    if (!e) {
        error_line_.clear();
        status_->setStyleSheet("color: #2a7a3a;");
        status_->setText("\u2713 valid: the CLI accepts this scenario");
        emit validated(true, {});
        return;
    }
    error_line_ = e->line();
    status_->setStyleSheet("color: #b02020;");
    status_->setText("\u2717 " + error_line_);
    if (const Knob* k = knob_for_pointer(e->pointer)) {
        QLineEdit* edit = fields_.at(k->pointer);
        const QString msg = QString::fromStdString(e->pointer + ": " + e->message);
        field_messages_[k->pointer] = msg;
        edit->setStyleSheet("background: #fbe0e0;");
        edit->setToolTip(msg);
    }
    emit validated(false, error_line_);
}

QString ScenarioEditor::raw_status() const {
    return raw_status_->text();
}

QLineEdit* ScenarioEditor::field(const std::string& pointer) const {
    const auto it = fields_.find(pointer);
    return it == fields_.end() ? nullptr : it->second;
}

QString ScenarioEditor::field_message(const std::string& pointer) const {
    const auto it = field_messages_.find(pointer);
    return it == field_messages_.end() ? QString() : it->second;
}

} // namespace twin::gui
