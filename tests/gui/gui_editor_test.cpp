// The what-if editor: validation messages from the CLI's loader carrying the JSON pointer and
// marking the knob, undo (keystrokes in one field are one step), raw JSON, and save as a scenario
// the CLI accepts (round trip, relative paths rebased).
#include "twin/gui/knobs.hpp"
#include "twin/gui/scenario_editor.hpp"
#include "twin/models/scenario.hpp"

#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace twin::gui;

namespace {

const QString kThrottle = TWIN_SOURCE_DIR "/scenarios/b200-air-hall-throttle.json";
const QString kDgx = TWIN_SOURCE_DIR "/scenarios/dgx-h100-1node.json";

} // namespace

class GuiEditor : public QObject {
    Q_OBJECT
private slots:
    void bundled_scenario_is_valid() {
        ScenarioEditor e;
        QVERIFY(e.open(kThrottle));
        QVERIFY(!e.validate_now().has_value());
        QCOMPARE(e.field("/workload/parallelism/tp")->text(), QString("8"));
        QCOMPARE(e.field("/facility/cooling/type")->text(), QString("air"));
    }

    void messages_carry_the_pointer_and_mark_the_knob() {
        ScenarioEditor e;
        QVERIFY(e.open(kThrottle));
        e.set_knob("/workload/parallelism/tp", "3");
        auto err = e.validate_now();
        QVERIFY(err.has_value());
        QCOMPARE(err->pointer, std::string("/workload/parallelism/tp"));
        QVERIFY(e.error_line().contains("b200-air-hall-throttle.json: /workload/parallelism/tp: tp (3) must divide"));
        QVERIFY(e.field_message("/workload/parallelism/tp").startsWith("/workload/parallelism/tp: "));
        QVERIFY(!e.field("/workload/parallelism/tp")->styleSheet().isEmpty());

        e.set_knob("/workload/parallelism/tp", "8");
        e.set_knob("/topology/nodes/0/count", "abc");
        err = e.validate_now();
        QVERIFY(err.has_value());
        QCOMPARE(err->pointer, std::string("/topology/nodes/0/count"));
        QCOMPARE(QString::fromStdString(err->message), QString("expected an integer, got \"abc\""));
        QVERIFY(e.field_message("/workload/parallelism/tp").isEmpty()); // the old mark is gone

        e.set_knob("/topology/nodes/0/count", "8");
        e.set_knob("/facility/gpu/power_cap", "5000W");
        err = e.validate_now();
        QVERIFY(err.has_value());
        QCOMPARE(err->pointer, std::string("/facility/gpu/power_cap"));
        QVERIFY(err->message.find("above the TDP of B200") != std::string::npos);
        e.set_knob("/facility/gpu/power_cap", "700W");
        QVERIFY(!e.validate_now().has_value());
    }

    void typing_is_one_undo_step() {
        ScenarioEditor e;
        QVERIFY(e.open(kThrottle));
        QCOMPARE(e.undo_stack()->count(), 0);
        QLineEdit* batch = e.field("/workload/batch/global_batch");
        batch->selectAll();
        QTest::keyClicks(batch, "128");
        QCOMPARE(e.document()["workload"]["batch"]["global_batch"].get<int>(), 128);
        QCOMPARE(e.undo_stack()->count(), 1);
        e.set_knob("/workload/precision", "bf16");
        QCOMPARE(e.undo_stack()->count(), 2);
        e.undo_stack()->undo();
        QCOMPARE(e.field("/workload/precision")->text(), QString("fp8"));
        e.undo_stack()->undo();
        QCOMPARE(e.document()["workload"]["batch"]["global_batch"].get<int>(), 64);
        QCOMPARE(batch->text(), QString("64"));
        e.undo_stack()->redo();
        QCOMPARE(batch->text(), QString("128"));
    }

    void clearing_a_knob_removes_the_key() {
        ScenarioEditor e;
        QVERIFY(e.open(kThrottle));
        e.set_knob("/facility/gpu/power_cap", "700W");
        QCOMPARE(e.document()["facility"]["gpu"]["power_cap"].get<std::string>(), std::string("700W"));
        e.set_knob("/facility/gpu/power_cap", "");
        QVERIFY(!e.document()["facility"].contains("gpu")); // the emptied parent goes too
        // A knob under an array element that does not exist is not created.
        const Knob* spine = knob_for_pointer("/topology/fabric/tiers/1/switch");
        QVERIFY(spine != nullptr);
        const auto one_node = nlohmann::json::parse(R"({"topology": {"fabric": {"tiers": []}}})");
        QCOMPARE(with_knob(one_node, *spine, "QM9700"), one_node);
    }

    void raw_json_tab() {
        ScenarioEditor e;
        QVERIFY(e.open(kThrottle));
        QVERIFY(e.raw_editor()->toPlainText().contains("\"b200-air-hall-throttle\""));
        auto* apply = e.findChild<QPushButton*>("apply_json");
        QVERIFY(apply != nullptr);
        e.raw_editor()->setPlainText("{ not json");
        apply->click();
        QVERIFY(e.raw_status().startsWith("raw JSON: "));
        QCOMPARE(e.undo_stack()->count(), 0);
        auto doc = e.document();
        doc["seed"] = 7;
        e.raw_editor()->setPlainText(QString::fromStdString(doc.dump(2)));
        apply->click();
        QCOMPARE(e.document()["seed"].get<int>(), 7);
        QCOMPARE(e.undo_stack()->count(), 1);
        QVERIFY(e.raw_status().isEmpty());
    }

    void save_as_round_trip() {
        ScenarioEditor e;
        QVERIFY(e.open(kDgx)); // its workload is a trace file relative to scenarios/
        e.set_knob("/topology/nodes/0/type", "HGX-H200");
        QVERIFY(!e.validate_now().has_value());
        QTemporaryDir dir;
        const QString out = dir.path() + "/sub/what-if.json";
        QVERIFY(QDir().mkpath(dir.path() + "/sub"));
        QVERIFY(e.save_as(out));
        QCOMPARE(e.file(), out);
        // The loader the CLI uses accepts it, with the changed knob and the trace found.
        const auto s = twin::models::load_scenario(out.toStdString());
        QCOMPARE(s.name, std::string("dgx-h100-1node"));
        QCOMPARE(s.cluster.gpu_count(), 8);
        ScenarioEditor back;
        QVERIFY(back.open(out));
        QCOMPARE(back.field("/topology/nodes/0/type")->text(), QString("HGX-H200"));
        QCOMPARE(back.document(), e.document());
        // And so does the CLI itself.
        QProcess cli;
        cli.start(qEnvironmentVariable("TWIN_CLI"), {"validate", out});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
    }
};

QTEST_MAIN(GuiEditor)
#include "gui_editor_test.moc"
