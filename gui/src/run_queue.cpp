// RunQueue: the CLI as a child process (run_queue.hpp).
#include "twin/gui/run_queue.hpp"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>

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

RunQueue::RunQueue(QObject* parent) : QObject(parent), cli_(find_cli()) {}

RunQueue::~RunQueue() {
    if (process_ != nullptr) {
        process_->disconnect(this);
        process_->kill();
        process_->waitForFinished(2000);
    }
}

void RunQueue::enqueue(const RunJob& job) {
    queue_.push_back(job);
    if (!current_) {
        start_next();
    }
}

void RunQueue::cancel_all() {
    queue_.clear();
    cancel_current();
}

void RunQueue::cancel_current() {
    if (process_ != nullptr && process_->state() != QProcess::NotRunning) {
        cancelling_ = true;
        process_->kill();
    }
}

void RunQueue::start_next() {
    if (queue_.empty()) {
        emit idle();
        return;
    }
    current_ = queue_.front();
    queue_.pop_front();
    error_line_.clear();
    pending_.clear();
    cancelling_ = false;
    emit started(*current_);
    if (cli_.isEmpty()) {
        finish({*current_, false, false,
                "clustertwin CLI not found: set TWIN_CLI or Settings \u2192 CLI path, or place it next to the GUI"});
        return;
    }
    process_ = new QProcess(this);
    connect(process_, &QProcess::readyReadStandardError, this, &RunQueue::read_stderr);
    connect(process_, &QProcess::finished, this, &RunQueue::on_finished);
    connect(process_, &QProcess::errorOccurred, this, &RunQueue::on_error);
    process_->start(cli_, QStringList{"run", current_->scenario, "-o", current_->out_dir} + current_->extra_args);
}

void RunQueue::read_stderr() {
    pending_ += process_->readAllStandardError();
    pending_.replace('\r', '\n'); // a terminal-style bar redraws with \r
    qsizetype nl = 0;
    while ((nl = pending_.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(pending_.left(nl)).trimmed();
        pending_.remove(0, nl + 1);
        if (line.isEmpty()) {
            continue;
        }
        emit output_line(line);
        if (const auto p = parse_progress_line(line)) {
            emit progress(*p);
        } else if (line.startsWith("error: ")) {
            error_line_ = line.mid(7);
        }
    }
}

void RunQueue::on_finished(int code, QProcess::ExitStatus status) {
    read_stderr();
    if (!pending_.trimmed().isEmpty()) {
        pending_ += '\n';
        read_stderr();
    }
    RunOutcome o;
    o.job = *current_;
    if (cancelling_) {
        o.cancelled = true;
        o.message = "cancelled";
    } else if (status == QProcess::CrashExit) {
        o.message = "clustertwin crashed" + (error_line_.isEmpty() ? QString() : ": " + error_line_);
    } else if (code != 0) {
        o.message = error_line_.isEmpty() ? QString("clustertwin exited with code %1").arg(code) : error_line_;
    } else {
        o.ok = true;
    }
    finish(o);
}

void RunQueue::on_error(QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) {
        finish({*current_, false, false, "cannot start " + cli_ + ": " + process_->errorString()});
    }
    // Crashes and kills also end in finished(), which reports them.
}

void RunQueue::finish(RunOutcome outcome) {
    if (process_ != nullptr) {
        process_->disconnect(this);
        process_->deleteLater();
        process_ = nullptr;
    }
    current_.reset();
    emit finished(outcome);
    start_next();
}

} // namespace twin::gui
