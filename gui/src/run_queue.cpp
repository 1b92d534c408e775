// RunQueue: the CLI as a child process (run_queue.hpp).
#include "twin/gui/run_queue.hpp"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <algorithm>

namespace twin::gui {

QString find_cli() {
    const auto usable = [](const QString& p) { return !p.isEmpty() && QFileInfo(p).isExecutable(); };
    if (const QString env = qEnvironmentVariable("TWIN_CLI"); usable(env)) {
        return env;
    }
    if (const QString set = QSettings().value("cli/path").toString(); usable(set)) {
        return set;
    }
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& p : {dir + "/clustertwin", dir + "/../tools/clustertwin"}) {
        if (usable(p)) {
            return QFileInfo(p).canonicalFilePath();
        }
    }
    return {};
}

std::optional<int> parse_progress_line(const QString& line) {
    static const QRegularExpression re(R"(progress\s+(\d{1,3}) %|\]\s+(\d{1,3}) %)");
    const auto m = re.match(line);
    if (!m.hasMatch()) {
        return std::nullopt;
    }
    const int v = (m.captured(1).isEmpty() ? m.captured(2) : m.captured(1)).toInt();
    return std::min(v, 100);
}

RunQueue::RunQueue(QObject* parent) : QObject(parent), cli_(find_cli()) {
    set_max_parallel(QSettings().value("run/parallel", 1).toInt());
}

RunQueue::~RunQueue() {
    for (auto& c : running_) {
        c->process->disconnect(this);
        c->process->kill();
        c->process->waitForFinished(2000);
    }
}

void RunQueue::set_max_parallel(int n) {
    max_parallel_ = std::clamp(n, 1, 64);
    start_next();
}

void RunQueue::enqueue(const RunJob& job) {
    queue_.push_back(job);
    start_next();
}

void RunQueue::cancel_all() {
    queue_.clear();
    cancel_current();
}

void RunQueue::cancel_current() {
    for (auto& c : running_) {
        if (c->process->state() != QProcess::NotRunning) {
            c->cancelling = true;
            c->process->kill();
        }
    }
}

void RunQueue::start_next() {
    while (!queue_.empty() && static_cast<int>(running_.size()) < max_parallel_) {
        const RunJob job = queue_.front();
        queue_.pop_front();
        start(job);
    }
    if (queue_.empty() && running_.empty()) {
        emit idle();
    }
}

void RunQueue::start(const RunJob& job) {
    emit started(job);
    if (cli_.isEmpty()) {
        emit finished(
            {job, false, false,
             "clustertwin CLI not found: set TWIN_CLI or Settings \u2192 CLI path, or place it next to the GUI"});
        return;
    }
    auto child = std::make_unique<Child>();
    Child* c = child.get();
    c->job = job;
    c->process = new QProcess(this);
    running_.push_back(std::move(child));
    connect(c->process, &QProcess::readyReadStandardError, this, [this, c] { read_stderr(*c); });
    connect(c->process, &QProcess::finished, this,
            [this, c](int code, QProcess::ExitStatus status) { on_finished(c, code, status); });
    connect(c->process, &QProcess::errorOccurred, this, [this, c](QProcess::ProcessError error) {
        // Crashes and kills also end in finished(), which reports them.
        if (error == QProcess::FailedToStart) {
            finish(c, {c->job, false, false, "cannot start " + cli_ + ": " + c->process->errorString()});
        }
    });
    c->process->start(cli_, QStringList{"run", job.scenario, "-o", job.out_dir} + job.extra_args);
}

void RunQueue::read_stderr(Child& c) {
    c.pending += c.process->readAllStandardError();
    c.pending.replace('\r', '\n'); // a terminal-style bar redraws with \r
    qsizetype nl = 0;
    while ((nl = c.pending.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(c.pending.left(nl)).trimmed();
        c.pending.remove(0, nl + 1);
        if (line.isEmpty()) {
            continue;
        }
        emit output_line(running_.size() > 1 ? "[" + c.job.label + "] " + line : line);
        if (const auto p = parse_progress_line(line)) {
            c.percent = *p;
            int least = 100;
            for (const auto& r : running_) {
                least = std::min(least, r->percent);
            }
            emit progress(least);
        } else if (line.startsWith("error: ")) {
            c.error_line = line.mid(7);
        }
    }
}

void RunQueue::on_finished(Child* c, int code, QProcess::ExitStatus status) {
    read_stderr(*c);
    if (!c->pending.trimmed().isEmpty()) {
        c->pending += '\n';
        read_stderr(*c);
    }
    RunOutcome o;
    o.job = c->job;
    if (c->cancelling) {
        o.cancelled = true;
        o.message = "cancelled";
    } else if (status == QProcess::CrashExit) {
        o.message = "clustertwin crashed" + (c->error_line.isEmpty() ? QString() : ": " + c->error_line);
    } else if (code != 0) {
        o.message = c->error_line.isEmpty() ? QString("clustertwin exited with code %1").arg(code) : c->error_line;
    } else {
        o.ok = true;
    }
    finish(c, o);
}

void RunQueue::finish(Child* c, RunOutcome outcome) {
    const auto it = std::find_if(running_.begin(), running_.end(), [c](const auto& p) { return p.get() == c; });
    if (it == running_.end()) {
        return;
    }
    c->process->disconnect(this);
    c->process->deleteLater();
    const auto keep = std::move(*it); // c stays valid until this returns
    running_.erase(it);
    emit finished(outcome);
    start_next();
}

} // namespace twin::gui
