// The run panel: the queue of CLI runs (run_queue.hpp) with the current run, its progress, the
// CLI's stderr, the error line of a failed run and Cancel.
#pragma once

#include "twin/gui/run_queue.hpp"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace twin::gui {

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);
    [[nodiscard]] RunQueue* queue() const { return queue_; }
    [[nodiscard]] QString error_text() const;
    [[nodiscard]] QString state_text() const;
    [[nodiscard]] int progress_value() const;

signals:
    // A run finished and wrote its result folder.
    void result_ready(const QString& out_dir, const QString& label);

private:
    void on_started(const RunJob& job);
    void on_finished(const RunOutcome& o);

    RunQueue* queue_;
    QLabel* state_;
    QLabel* error_;
    QProgressBar* bar_;
    QPushButton* cancel_;
    QPlainTextEdit* log_;
};

} // namespace twin::gui
