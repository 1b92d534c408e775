// Runs scenarios by starting the `clustertwin` CLI as child processes (QProcess), up to
// max_parallel() at once (Settings -> "Parallel runs", QSettings "run/parallel", default 1: each
// child is one simulation on one core) from a queue. The GUI never links the engine: a run that fails
// (exit 2: bad input, 3: time limit, 1: anything else), crashes (a signal) or is cancelled ends as a
// RunOutcome, and the next queued run starts in its place.
//
// Progress comes from the CLI's stderr lines "  progress  40 %  ..." (printed once a run has taken
// 2 s, tools/cli_common.cpp); the error line is the last stderr line that starts with "error: ".
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

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
    // How many children run at once (clamped to 1..64); raising it starts queued runs at once.
    void set_max_parallel(int n);
    [[nodiscard]] int max_parallel() const { return max_parallel_; }
    // Queues a run; it starts at once when fewer than max_parallel() run.
    void enqueue(const RunJob& job);
    // Kills the running children (their outcomes say cancelled) and drops the queued runs.
    void cancel_all();
    // Kills the running children only; the queue goes on.
    void cancel_current();
    [[nodiscard]] bool busy() const { return !running_.empty(); }
    [[nodiscard]] int running() const { return static_cast<int>(running_.size()); }
    [[nodiscard]] int queued() const { return static_cast<int>(queue_.size()); }

signals:
    void started(const twin::gui::RunJob& job);
    void progress(int percent); // of the least advanced running run
    void output_line(const QString& line);
    void finished(const twin::gui::RunOutcome& outcome);
    void idle();

private:
    struct Child {
        RunJob job;
        QProcess* process = nullptr;
        QString error_line;
        QByteArray pending;
        int percent = 0;
        bool cancelling = false;
    };
    void start_next();
    void start(const RunJob& job);
    void read_stderr(Child& c);
    void on_finished(Child* c, int code, QProcess::ExitStatus status);
    void finish(Child* c, RunOutcome outcome);

    QString cli_;
    int max_parallel_ = 1;
    std::deque<RunJob> queue_;
    std::vector<std::unique_ptr<Child>> running_; // in start order
};

} // namespace twin::gui
