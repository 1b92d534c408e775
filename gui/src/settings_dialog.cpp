// The settings dialog (settings_dialog.hpp).
#include "twin/gui/settings_dialog.hpp"

#include "twin/gui/rack_data.hpp"
#include "twin/gui/run_queue.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>

namespace twin::gui {

namespace {

// A line edit with a "Browse…" button beside it.
QWidget* with_browse(QLineEdit* field, bool folder, QWidget* owner) {
    auto* w = new QWidget(owner);
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(field, 1);
    auto* b = new QPushButton("Browse\u2026", w);
    QObject::connect(b, &QPushButton::clicked, w, [field, folder, owner] {
        const QString p = folder ? QFileDialog::getExistingDirectory(owner, "Runs folder", field->text())
                                 : QFileDialog::getOpenFileName(owner, "clustertwin binary", field->text());
        if (!p.isEmpty()) {
            field->setText(p);
        }
    });
    l->addWidget(b);
    return w;
}

} // namespace

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent), cli_(new QLineEdit(this)), runs_(new QLineEdit(this)),
      timeline_(new QCheckBox("Write a Perfetto timeline with each run", this)), metric_(new QComboBox(this)),
      parallel_(new QSpinBox(this)) {
    setWindowTitle("clustertwin settings");
    const QSettings s;
    cli_->setText(s.value("cli/path").toString());
    cli_->setPlaceholderText(find_cli().isEmpty() ? QString("clustertwin (not found)") : find_cli());
    runs_->setText(s.value("runs/dir").toString());
    runs_->setPlaceholderText("the application's data folder/runs");
    timeline_->setChecked(s.value("run/timeline", false).toBool());
    // Each CLI child simulates on one core: up to the machine's cores is useful.
    parallel_->setRange(1, 64);
    parallel_->setValue(std::clamp(s.value("run/parallel", 1).toInt(), 1, 64));
    parallel_->setToolTip(QString("How many clustertwin runs the queue starts at once (this machine has %1 cores; "
                                  "each run uses one, and its memory)")
                              .arg(QThread::idealThreadCount()));
    for (auto m : {ColourMetric::Busy, ColourMetric::Power, ColourMetric::Load, ColourMetric::Clock}) {
        metric_->addItem(metric_name(m), static_cast<int>(m));
    }
    metric_->setCurrentIndex(std::clamp(s.value("overview/metric", 0).toInt(), 0, 3));
    auto* form = new QFormLayout(this);
    form->addRow("&CLI binary:", with_browse(cli_, false, this));
    form->addRow("&Runs folder:", with_browse(runs_, true, this));
    form->addRow("", timeline_);
    form->addRow("&Parallel runs (-j):", parallel_);
    form->addRow("&Overview colour:", metric_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(fontMetrics().averageCharWidth() * 70);
}

void SettingsDialog::save() const {
    QSettings s;
    const auto put = [&s](const char* key, const QString& v) {
        if (v.trimmed().isEmpty()) {
            s.remove(key);
        } else {
            s.setValue(key, v.trimmed());
        }
    };
    put("cli/path", cli_->text());
    put("runs/dir", runs_->text());
    s.setValue("run/timeline", timeline_->isChecked());
    s.setValue("run/parallel", parallel_->value());
    s.setValue("overview/metric", metric_->currentData().toInt());
}

} // namespace twin::gui
