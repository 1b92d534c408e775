// RunPanel (run_panel.hpp).
#include "twin/gui/run_panel.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace twin::gui {

RunPanel::RunPanel(QWidget* parent)
    : QWidget(parent), queue_(new RunQueue(this)), state_(new QLabel("No run yet.", this)), error_(new QLabel(this)),
      bar_(new QProgressBar(this)), cancel_(new QPushButton("&Cancel run", this)), log_(new QPlainTextEdit(this)) {
    setObjectName("run_panel");
    error_->setObjectName("run_error");
    error_->setStyleSheet("color: #b02020;");
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar_->setRange(0, 100);
    bar_->setValue(0);
    cancel_->setEnabled(false);
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    auto* top = new QHBoxLayout;
    top->addWidget(state_, 1);
    top->addWidget(bar_, 1);
    top->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(error_);
    layout->addWidget(new QLabel("CLI output (stderr):", this));
    layout->addWidget(log_, 1);
    connect(cancel_, &QPushButton::clicked, queue_, &RunQueue::cancel_current);
    connect(queue_, &RunQueue::started, this, &RunPanel::on_started);
    connect(queue_, &RunQueue::finished, this, &RunPanel::on_finished);
    connect(queue_, &RunQueue::progress, this, [this](int p) {
        bar_->setRange(0, 100);
        bar_->setValue(p);
    });
    connect(queue_, &RunQueue::output_line, log_, &QPlainTextEdit::appendPlainText);
}

QString RunPanel::error_text() const {
    return error_->text();
}
QString RunPanel::state_text() const {
    return state_->text();
}
int RunPanel::progress_value() const {
    return bar_->value();
}

void RunPanel::on_started(const RunJob& job) {
    const int others = queue_->running(); // the others already running (this one is not counted yet)
    state_->setText(
        others > 0 ? QString("Running %1 (+%2 running, %3 queued)").arg(job.label).arg(others).arg(queue_->queued())
                   : QString("Running %1 (%2 queued)").arg(job.label).arg(queue_->queued()));
    error_->clear();
    bar_->setRange(0, 0); // busy until the CLI prints progress (after 2 s)
    cancel_->setEnabled(true);
    log_->appendPlainText("$ clustertwin run " + job.scenario + " -o " + job.out_dir);
}

void RunPanel::on_finished(const RunOutcome& o) {
    // The queue has already dropped this run: other children may still run.
    cancel_->setEnabled(queue_->busy());
    bar_->setRange(0, 100);
    bar_->setValue(o.ok ? 100 : 0);
    if (o.ok) {
        state_->setText(o.job.label + ": done");
        emit result_ready(o.job.out_dir, o.job.label);
    } else if (o.cancelled) {
        state_->setText(o.job.label + ": cancelled");
    } else {
        state_->setText(o.job.label + ": failed");
        error_->setText(o.message);
    }
}

} // namespace twin::gui
