// Runs scenarios by starting the `clustertwin` CLI as a child process (QProcess), one at a time
// from a queue. The GUI never links the engine: a run that fails (exit 2: bad input, 3: time
// limit, 1: anything else), crashes (a signal) or is cancelled ends as a RunOutcome, and the next
// queued run starts.
//
// Progress comes from the CLI's stderr lines "  progress  40 %  ..." (printed once a run has taken
// 2 s, tools/cli_common.cpp); the error line is the last stderr line that starts with "error: ".
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <deque>
#include <optional>

namespace twin::gui {

// Where the CLI is: $TWIN_CLI, the QSettings key "cli/path", then `clustertwin` next to the GUI
// binary or in ../tools (the build tree); empty when none exists.
[[nodiscard]] QString find_cli();

// The percentage in one stderr line of the CLI, if it is a progress line.
[[nodiscard]] std::optional<int> parse_progress_line(const QString& line);

struct RunJob {
    QString label;
    QString scenario;       // a scenario file
    QString out_dir;        // passed as -o
    QStringList extra_args; // e.g. --timeline <file>
};

struct RunOutcome {
    RunJob job;
    bool ok = false;
    bool cancelled = false;
    QString message; // the error line, or what happened to the process
};

class RunQueue : public QObject {
    Q_OBJECT
public:
    explicit RunQueue(QObject* parent = nullptr);
    ~RunQueue() override;

    void set_cli(const QString& path) { cli_ = path; }
    [[nodiscard]] const QString& cli() const { return cli_; }
    // Queues a run; it starts at once when nothing runs.
    void enqueue(const RunJob& job);
    // Kills the running child (its outcome says cancelled) and drops the queued ones.
    void cancel_all();
    // Kills the running child only; the queue goes on.
    void cancel_current();
    [[nodiscard]] bool busy() const { return current_.has_value(); }
    [[nodiscard]] int queued() const { return static_cast<int>(queue_.size()); }

signals:
    void started(const twin::gui::RunJob& job);
    void progress(int percent);
    void output_line(const QString& line);
    void finished(const twin::gui::RunOutcome& outcome);
    void idle();

private:
    void start_next();
    void read_stderr();
    void on_finished(int code, QProcess::ExitStatus status);
    void on_error(QProcess::ProcessError error);
    void finish(RunOutcome outcome);

    QString cli_;
    std::deque<RunJob> queue_;
    std::optional<RunJob> current_;
    QProcess* process_ = nullptr;
    QString error_line_;
    QByteArray pending_;
    bool cancelling_ = false;
};

} // namespace twin::gui
