// Runs through the CLI as a child process: open a bundled scenario, run it, change a knob, run
// again and compare (a real CLI child); a run the CLI rejects shows its error line; a crashing
// child and a cancelled one end as outcomes and the queue goes on; with Settings -> "Parallel runs"
// (-j) the queue runs up to N children at once, real, crashing and cancelled ones alike.
#include "twin/gui/main_window.hpp"
#include "twin/gui/run_panel.hpp"
#include "twin/gui/run_queue.hpp"
#include "twin/gui/scenario_editor.hpp"
#include "twin/gui/settings_dialog.hpp"
#include "twin/gui/table_models.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace twin::gui;

Q_DECLARE_METATYPE(twin::gui::RunOutcome)

namespace {

const QString kThrottle = TWIN_SOURCE_DIR "/scenarios/b200-air-hall-throttle.json";
const QString kOneNode = TWIN_SOURCE_DIR "/scenarios/dgx-h100-1node.json";

// A fake CLI: a shell script that prints one progress line and then sleeps (so it can be cancelled).
QString slow_cli(const QTemporaryDir& dir) {
    const QString path = dir.path() + "/slow-cli.sh";
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write("#!/bin/sh\necho '  progress  10 %  wall 2 s' >&2\nexec sleep 60\n");
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeUser);
    return path;
}

RunOutcome outcome_of(const QSignalSpy& spy, int i) {
    return spy.at(i).at(0).value<RunOutcome>();
}

} // namespace

class GuiRun : public QObject {
    Q_OBJECT
    QTemporaryDir runs_;
private slots:
    void initTestCase() {
        qRegisterMetaType<RunOutcome>();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().setValue("runs/dir", runs_.path());
        QSettings().remove("run/parallel"); // -j 1 unless a test sets it
        QVERIFY(!qEnvironmentVariable("TWIN_CLI").isEmpty());
    }

    void run_result_compare_with_the_real_cli() {
        MainWindow w;
        QSignalSpy added(&w, &MainWindow::result_added);
        QVERIFY(w.open_path(kThrottle));
        QVERIFY(w.run_current());
        QVERIFY(added.wait(120000));
        QCOMPARE(w.results().size(), std::size_t{1});
        QCOMPARE(w.results()[0].report.gpus, 64);
        QCOMPARE(w.tabs()->currentIndex(), int(TabWorkload));
        // What if the GPUs were capped at 700 W? This run also writes its Perfetto timeline.
        QSettings().setValue("run/timeline", true);
        w.editor()->set_knob("/facility/gpu/power_cap", "700W");
        QVERIFY(w.run_current());
        QVERIFY(added.wait(120000));
        QCOMPARE(w.results().size(), std::size_t{2});
        auto* table = w.tabs()->widget(TabCompare)->findChild<QTableView*>("compare_table");
        QVERIFY(table != nullptr);
        QVERIFY(table->model()->rowCount() > 20);
        // The capped run draws less IT power at its peak: marked improved in the compare.
        const auto& a = w.results()[0].report.power.it.peak_w;
        const auto& b = w.results()[1].report.power.it.peak_w;
        QVERIFY(b < a);
        bool found = false;
        for (int i = 0; i < table->model()->rowCount(); ++i) {
            if (table->model()->index(i, 1).data().toString() == "IT peak") {
                QCOMPARE(table->model()->index(i, 6).data().toString(), QString("improved"));
                found = true;
            }
        }
        QVERIFY(found);
        QSettings().setValue("run/timeline", false);
        QDir run_dir = QFileInfo(w.results()[1].path).absoluteDir();
        QVERIFY(run_dir.cdUp());
        QVERIFY(run_dir.exists("timeline.json"));
        { // "Open in Perfetto" hands Perfetto this file: valid Chrome trace-event JSON with events.
            QFile trace(run_dir.absoluteFilePath("timeline.json"));
            QVERIFY(trace.open(QIODevice::ReadOnly));
            QJsonParseError error{};
            const auto doc = QJsonDocument::fromJson(trace.readAll(), &error);
            QCOMPARE(error.error, QJsonParseError::NoError);
            QVERIFY(doc.object().value("traceEvents").toArray().size() > 0);
        }
        QVERIFY(!QFileInfo(w.results()[0].path).absoluteDir().exists("../timeline.json"));
        auto* note = w.tabs()->widget(TabTimeline)->findChild<QLabel*>("perfetto_note");
        QVERIFY(note != nullptr);
        QVERIFY(note->text().endsWith(run_dir.absoluteFilePath("timeline.json")));
    }

    void rejected_scenario_shows_the_error_line() {
        MainWindow w;
        QVERIFY(w.open_path(kThrottle));
        w.editor()->set_knob("/topology/nodes/0/count", "abc");
        QSignalSpy done(w.run_panel()->queue(), &RunQueue::finished);
        QVERIFY(w.run_current());
        QVERIFY(done.wait(60000));
        const auto o = outcome_of(done, 0);
        QVERIFY(!o.ok);
        QVERIFY(o.message.endsWith(": /topology/nodes/0/count: expected an integer, got \"abc\""));
        QCOMPARE(w.run_panel()->error_text(), o.message);
        QVERIFY(w.results().empty());
    }

    void crashing_child_is_reported_and_the_queue_goes_on() {
        RunQueue q;
        q.set_cli(qEnvironmentVariable("TWIN_FAKE_ABORT_CLI"));
        QSignalSpy done(&q, &RunQueue::finished);
        QSignalSpy progress(&q, &RunQueue::progress);
        QSignalSpy idle(&q, &RunQueue::idle);
        q.enqueue({"one", kThrottle, runs_.path() + "/crash1", {}});
        q.enqueue({"two", kThrottle, runs_.path() + "/crash2", {}});
        QCOMPARE(q.queued(), 1);
        QVERIFY(idle.wait(30000));
        QCOMPARE(done.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const auto o = outcome_of(done, i);
            QVERIFY(!o.ok);
            QVERIFY(!o.cancelled);
            QCOMPARE(o.message, QString("clustertwin crashed: fake failure before the crash"));
        }
        QCOMPARE(outcome_of(done, 1).job.label, QString("two"));
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress.at(0).at(0).toInt(), 20);
    }

    void cancel_kills_the_child() {
        QTemporaryDir dir;
        RunPanel panel;
        panel.queue()->set_cli(slow_cli(dir));
        QSignalSpy done(panel.queue(), &RunQueue::finished);
        QSignalSpy progress(panel.queue(), &RunQueue::progress);
        panel.queue()->enqueue({"slow", kThrottle, dir.path() + "/out", {}});
        QVERIFY(progress.wait(30000));
        QCOMPARE(panel.progress_value(), 10);
        QVERIFY(panel.queue()->busy());
        panel.queue()->cancel_current();
        QVERIFY(done.wait(30000));
        const auto o = outcome_of(done, 0);
        QVERIFY(o.cancelled);
        QVERIFY(!o.ok);
        QVERIFY(!panel.queue()->busy());
        QCOMPARE(panel.state_text(), QString("slow: cancelled"));
    }

    // -j 2 with three real runs: two start at once, the third when one ends; all three results land.
    void parallel_runs_with_the_real_cli() {
        RunQueue q;
        q.set_max_parallel(2);
        QSignalSpy done(&q, &RunQueue::finished);
        QSignalSpy idle(&q, &RunQueue::idle);
        for (const char* label : {"j1", "j2", "j3"}) {
            q.enqueue({label, kOneNode, runs_.path() + "/" + label, {}});
        }
        QCOMPARE(q.running(), 2);
        QCOMPARE(q.queued(), 1);
        QVERIFY(idle.wait(180000));
        QCOMPARE(done.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const auto o = outcome_of(done, i);
            QVERIFY2(o.ok, qPrintable(o.message));
            QVERIFY(QFileInfo::exists(o.job.out_dir + "/report.json"));
            QVERIFY(QFileInfo::exists(o.job.out_dir + "/nodes.csv"));
        }
        QVERIFY(!q.busy());
    }

    // -j 3 with four crashing children: three at once, each reported, and the fourth still runs.
    void parallel_crashes_are_each_reported() {
        RunQueue q;
        q.set_cli(qEnvironmentVariable("TWIN_FAKE_ABORT_CLI"));
        q.set_max_parallel(3);
        QSignalSpy done(&q, &RunQueue::finished);
        QSignalSpy idle(&q, &RunQueue::idle);
        for (int i = 0; i < 4; ++i) {
            q.enqueue({QString("c%1").arg(i), kThrottle, runs_.path() + QString("/pcrash%1").arg(i), {}});
        }
        QCOMPARE(q.running(), 3);
        QCOMPARE(q.queued(), 1);
        QVERIFY(idle.wait(30000));
        QCOMPARE(done.size(), 4);
        QStringList labels;
        for (int i = 0; i < 4; ++i) {
            const auto o = outcome_of(done, i);
            QVERIFY(!o.ok && !o.cancelled);
            QCOMPARE(o.message, QString("clustertwin crashed: fake failure before the crash"));
            labels << o.job.label;
        }
        labels.sort();
        QCOMPARE(labels, (QStringList{"c0", "c1", "c2", "c3"}));
    }

    // Cancel all with two children running and one queued: both are killed, the queued one dropped.
    void parallel_cancel_all() {
        QTemporaryDir dir;
        RunPanel panel;
        RunQueue* q = panel.queue();
        q->set_cli(slow_cli(dir));
        q->set_max_parallel(2);
        QSignalSpy done(q, &RunQueue::finished);
        QSignalSpy progress(q, &RunQueue::progress);
        for (const char* label : {"s1", "s2", "s3"}) {
            q->enqueue({label, kThrottle, dir.path() + "/" + label, {}});
        }
        QCOMPARE(q->running(), 2);
        // Said when s2 started (s3 was queued after it).
        QCOMPARE(panel.state_text(), QString("Running s2 (+1 running, 0 queued)"));
        while (progress.size() < 2) {
            QVERIFY(progress.wait(30000));
        }
        q->cancel_all();
        while (done.size() < 2) {
            QVERIFY(done.wait(30000));
        }
        QTest::qWait(100);
        QCOMPARE(done.size(), 2);
        QVERIFY(outcome_of(done, 0).cancelled && outcome_of(done, 1).cancelled);
        QVERIFY(!q->busy());
        QCOMPARE(q->queued(), 0);
    }

    // The settings dialog's "Parallel runs" is the key a new queue reads.
    void parallel_setting_persists() {
        {
            SettingsDialog d;
            QCOMPARE(d.parallel_box()->value(), 1);
            d.parallel_box()->setValue(3);
            d.save();
        }
        QCOMPARE(QSettings().value("run/parallel").toInt(), 3);
        QCOMPARE(RunQueue().max_parallel(), 3);
        QSettings().remove("run/parallel");
        QCOMPARE(RunQueue().max_parallel(), 1);
    }

    void missing_cli_is_an_outcome() {
        RunQueue q;
        q.set_cli({});
        QSignalSpy done(&q, &RunQueue::finished);
        q.enqueue({"none", kThrottle, runs_.path() + "/none", {}});
        QCOMPARE(done.size(), 1);
        QVERIFY(outcome_of(done, 0).message.startsWith("clustertwin CLI not found"));
        q.set_cli(runs_.path() + "/no-such-cli");
        q.enqueue({"none", kThrottle, runs_.path() + "/none", {}});
        QVERIFY(done.size() == 2 || done.wait(10000));
        QVERIFY(outcome_of(done, 1).message.startsWith("cannot start "));
    }
};

QTEST_MAIN(GuiRun)
#include "gui_run_test.moc"
