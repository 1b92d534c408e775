// Comparing three results: the rows and deltas against the baseline (hand-built figures), the
// model under QAbstractItemModelTester, and the main window's "compare all" on three goldens.
#include "twin/gui/main_window.hpp"
#include "twin/gui/multi_compare.hpp"
#include "twin/gui/render.hpp"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>

using namespace twin::gui;

namespace {

Metric fig(const std::string& name, double v, Better b) {
    return {"Run", name, "s", v, "", b};
}

} // namespace

class GuiCompare : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("clustertwin-test");
        QCoreApplication::setApplicationName("gui-compare-test");
        QSettings().clear();
    }

    // Step 2 s (lower is better): B 1 s is -50 % improved, C 3 s +50 % worsened; "extra" only in C.
    void three_results_against_the_baseline() {
        const std::vector<std::vector<Metric>> results{
            {fig("step", 2.0, Better::Lower)},
            {fig("step", 1.0, Better::Lower)},
            {fig("step", 3.0, Better::Lower), fig("extra", 1.0, Better::Lower)}};
        const auto rows = compare_many(results);
        QCOMPARE(rows.size(), std::size_t{2});
        QCOMPARE(rows[0].against_base.size(), std::size_t{3});
        QCOMPARE(rows[0].against_base[0].verdict, Verdict::Same);
        QCOMPARE(rows[0].against_base[1].verdict, Verdict::Improved);
        QCOMPARE(rows[0].against_base[1].relative, -0.5);
        QCOMPARE(rows[0].against_base[2].verdict, Verdict::Worsened);
        QCOMPARE(rows[1].name, std::string("extra"));
        QVERIFY(!rows[1].against_base[2].a.has_value());

        MultiCompareModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_rows(rows, {"A", "B", "C"});
        QCOMPARE(model.columnCount(), 7); // group, figure, A, B, delta B, C, delta C
        QCOMPARE(model.headerData(MultiCompareModel::delta_column(2), Qt::Horizontal).toString(),
                 QString("\u0394 vs baseline"));
        QCOMPARE(model.index(0, MultiCompareModel::value_column(0)).data().toString(), QString("2.000 s"));
        QCOMPARE(model.index(0, MultiCompareModel::value_column(1)).data().toString(), QString("1.000 s"));
        QCOMPARE(model.index(0, MultiCompareModel::delta_column(1)).data().toString(), QString("-50.0 % improved"));
        QCOMPARE(model.index(0, MultiCompareModel::delta_column(2)).data().toString(), QString("+50.0 % worsened"));
        QCOMPARE(model.index(1, MultiCompareModel::delta_column(2)).data().toString(), QString("only in one"));
        QVERIFY(model.index(0, MultiCompareModel::delta_column(1)).data(Qt::BackgroundRole).isValid());
    }

    void main_window_compares_three_opened_results() {
        MainWindow w;
        const QString g = TWIN_SOURCE_DIR "/tests/golden/";
        for (const char* f : {"llama3-70b-superpod", "gb200-nvl72-rack", "b200-air-hall-throttle"}) {
            QVERIFY(w.open_path(g + f + ".report.json"));
        }
        auto* all = w.tabs()->widget(TabCompare)->findChild<QPushButton*>("compare_all");
        QVERIFY(all != nullptr);
        all->click();
        auto* table = w.tabs()->widget(TabCompare)->findChild<QTableView*>("multi_compare_table");
        QVERIFY(table != nullptr);
        QCOMPARE(table->model()->columnCount(), 7);
        QVERIFY(table->model()->rowCount() > 10);
        const QImage image = render_widget(w.tabs()->widget(TabCompare), QSize(1400, 860));
        QVERIFY(!looks_blank(image));
        image.save(TWIN_GUI_TEST_DIR "/compare-three.png");
    }
};

QTEST_MAIN(GuiCompare)
#include "gui_compare_test.moc"
