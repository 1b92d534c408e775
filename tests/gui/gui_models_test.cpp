// The GUI's plain values and Qt models: metric comparison with hand-derived deltas, formatting,
// the table models under QAbstractItemModelTester, sorting, progress lines and result loading.
#include "twin/core/error.hpp"
#include "twin/gui/metrics.hpp"
#include "twin/gui/result.hpp"
#include "twin/gui/run_queue.hpp"
#include "twin/gui/table_models.hpp"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

using namespace twin::gui;

namespace {

const MetricDelta& find(const std::vector<MetricDelta>& rows, const std::string& name) {
    for (const auto& d : rows) {
        if (d.name == name) {
            return d;
        }
    }
    throw std::runtime_error("no figure " + name);
}

twin::report::RunReport workload_report(double step_s, double tokens_per_s, int gpus, const std::string& model) {
    twin::report::RunReport r;
    r.gpus = gpus;
    r.simulated_time_s = step_s;
    r.bound_by = "compute";
    twin::report::WorkloadReport w;
    w.model = model;
    w.step_time_s = step_s;
    w.tokens_per_s = tokens_per_s;
    w.mfu = 0.4;
    r.workload = w;
    return r;
}

const QString kGolden = TWIN_SOURCE_DIR "/tests/golden/llama3-70b-superpod.report.json";

} // namespace

class GuiModels : public QObject {
    Q_OBJECT
private slots:
    void compare_marks_improved_and_worsened() {
        // A: 2.0 s, 100 tokens/s; B: 1.5 s, 80 tokens/s. step time: delta = 1.5 - 2.0 = -0.5 s,
        // relative = -0.5 / 2.0 = -0.25, lower is better -> improved; tokens/s: delta = -20,
        // relative -0.2, higher is better -> worsened; MFU 0.4 both -> same; model text differs
        // -> changed; GPUs 8 -> 16: no better direction -> changed.
        const auto rows = compare_metrics(result_metrics(workload_report(2.0, 100.0, 8, "x")),
                                          result_metrics(workload_report(1.5, 80.0, 16, "y")));
        const auto& step = find(rows, "step time");
        QCOMPARE(step.delta, -0.5);
        QCOMPARE(step.relative, -0.25);
        QCOMPARE(step.verdict, Verdict::Improved);
        const auto& tok = find(rows, "tokens/s");
        QCOMPARE(tok.delta, -20.0);
        QCOMPARE(tok.relative, -0.2);
        QCOMPARE(tok.verdict, Verdict::Worsened);
        QCOMPARE(find(rows, "MFU").verdict, Verdict::Same);
        QCOMPARE(find(rows, "model").verdict, Verdict::Changed);
        QCOMPARE(find(rows, "GPUs").verdict, Verdict::Changed);
    }

    void compare_lists_figures_of_one_side() {
        auto b = workload_report(1.0, 1.0, 8, "x");
        b.workload->exposed_communication_per_gpu_s["dp"] = 0.1;
        const auto rows = compare_metrics(result_metrics(workload_report(1.0, 1.0, 8, "x")), result_metrics(b));
        const auto& dp = find(rows, "exposed communication: dp");
        QVERIFY(!dp.a.has_value());
        QVERIFY(dp.b.has_value());
        QCOMPARE(dp.verdict, Verdict::Changed);
    }

    void formats_with_units() {
        QCOMPARE(format_metric(0.3162, "fraction"), std::string("31.6 %"));
        QCOMPARE(format_metric(0.00123, "s"), std::string("1.23 ms"));
        QCOMPARE(format_metric(1.5758, "s"), std::string("1.576 s"));
        QCOMPARE(format_metric(1.21e6, "W"), std::string("1.21 MW"));
        QCOMPARE(format_metric(6.2e10, "B"), std::string("62 GB"));
        QCOMPARE(format_metric(std::nullopt, "s"), std::string("\u2014"));
        QCOMPARE(format_metric(1024.0, ""), std::string("1024"));
    }

    void metric_model_passes_the_tester() {
        const auto r = load_result(kGolden);
        MetricTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_single(result_metrics(r.report));
        QCOMPARE(model.columnCount(), 3);
        QVERIFY(model.rowCount() > 30);
        model.set_compare(compare_metrics(result_metrics(r.report), result_metrics(r.report)));
        QCOMPARE(model.columnCount(), 7);
        // Same report on both sides: every verdict "same".
        for (int i = 0; i < model.rowCount(); ++i) {
            QCOMPARE(model.data(model.index(i, 6)).toString(), QString("same"));
        }
    }

    void bottleneck_model_sorts_by_number() {
        const auto r = load_result(kGolden);
        const auto rows = bottleneck_rows(r.report);
        QCOMPARE(rows.size(), r.report.link_tiers.size() + r.report.pods.size() + r.report.busiest_links.size());
        BottleneckModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_rows(rows);
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxy_tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(Qt::UserRole);
        proxy.sort(BottleneckModel::Bytes, Qt::DescendingOrder);
        for (int i = 1; i < proxy.rowCount(); ++i) {
            QVERIFY(proxy.index(i - 1, BottleneckModel::Bytes).data(Qt::UserRole).toDouble() >=
                    proxy.index(i, BottleneckModel::Bytes).data(Qt::UserRole).toDouble());
        }
        // The largest byte count is a whole tier's (a tier carries at least its busiest link's bytes).
        QCOMPARE(proxy.index(0, BottleneckModel::Kind).data().toString(), QString("tier"));
    }

    void progress_lines() {
        QCOMPARE(parse_progress_line("  progress  40 %  simulated 0.100 s  wall 3 s"), std::optional<int>(40));
        QCOMPARE(parse_progress_line("  [#########                     ]  30 %  wall 2 s"), std::optional<int>(30));
        QCOMPARE(parse_progress_line("error: x.json: /seed: expected an integer"), std::optional<int>());
    }

    void loads_results_and_names_bad_ones() {
        const auto r = load_result(kGolden);
        QCOMPARE(r.label, QString("llama3-70b-superpod"));
        QCOMPARE(r.report.gpus, 1024);
        QVERIFY(is_result_path(kGolden));
        QVERIFY(!is_result_path(TWIN_SOURCE_DIR "/scenarios/dgx-h100-1node.json"));
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(twin::InputError, (void)load_result(dir.path()));
        QFile bad(dir.path() + "/report.json");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"format_version": 1})");
        bad.close();
        QVERIFY(is_result_path(dir.path()));
        try {
            (void)load_result(dir.path());
            QFAIL("no error");
        } catch (const twin::InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), dir.path() + "/report.json");
        }
    }
};

QTEST_MAIN(GuiModels)
#include "gui_models_test.moc"
