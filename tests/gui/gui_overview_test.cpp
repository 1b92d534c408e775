// The cluster overview: racks.csv read back and aggregated into halls and rows (figures derived by
// hand below), the tile model under QAbstractItemModelTester, drill-down by click, keyboard and
// breadcrumb, the fallback for result folders without racks.csv, bottleneck rows located in the
// overview, and the view rendered (not blank).
#include "twin/core/error.hpp"
#include "twin/gui/main_window.hpp"
#include "twin/gui/overview.hpp"
#include "twin/gui/render.hpp"
#include "twin/gui/settings_dialog.hpp"
#include "twin/gui/table_models.hpp"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace twin::gui;

namespace {

const QString kGolden = TWIN_SOURCE_DIR "/tests/golden/b200-air-hall-throttle.report.json";

// Four racks: hall 0 has rows 0 (racks 0, 1) and 1 (rack 2); hall 1 has row 2 (rack 3).
//   hall 0: GPUs 48, mean power 10 + 20 + 5 = 35 kW, compute (0.5 + 0.7 + 0.1) x 16 / 48 = 0.4333,
//           load max(12/20, 30/20, 6/20) = 1.5 (rack 1's cooling 25 kW is above its 20 kW limit),
//           clock min(1, 0.8, 1) = 0.8;
//   hall 1: GPUs 8, 4 kW, compute 0.4, load 5 / 20 = 0.25, clock 1.
const char* kRacksCsv =
    "rack,hall,row,cdu,pod,nodes,gpus,ranks,it_mean_w,it_peak_w,power_limit_w,cooling_capacity_w,compute,"
    "communication,idle,clock\n"
    "0,0,0,0,0,2,16,16,10000,12000,20000,,0.5,0.2,0.3,1\n"
    "1,0,0,0,0,2,16,16,20000,30000,20000,25000,0.7,0.1,0.2,0.8\n"
    "2,0,1,1,1,2,16,16,5000,6000,20000,,0.1,0.1,0.8,1\n"
    "3,1,2,1,1,1,8,8,4000,5000,20000,,0.4,0,0.6,1\n";

// A result folder: the golden report as report.json and the racks above.
QString make_result(const QTemporaryDir& dir) {
    QFile::copy(kGolden, dir.filePath("report.json"));
    QFile f(dir.filePath("racks.csv"));
    f.open(QIODevice::WriteOnly);
    f.write(kRacksCsv);
    return dir.path();
}

} // namespace

class GuiOverview : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("clustertwin-test");
        QCoreApplication::setApplicationName("gui-overview-test");
        QSettings().clear();
    }

    void racks_csv_aggregates_by_hand() {
        const auto set = parse_racks_csv(kRacksCsv, "racks.csv");
        QVERIFY(set.complete);
        QCOMPARE(set.racks.size(), std::size_t{4});
        QCOMPARE(set.racks[2].first_node, 4); // nodes 0-1 in rack 0, 2-3 in rack 1
        const auto halls = tiles_at(set, Level::Halls, -1, -1);
        QCOMPARE(halls.size(), std::size_t{2});
        QCOMPARE(halls[0].gpus, 48);
        QCOMPARE(halls[0].power_mean_w, 35000.0);
        QVERIFY(qAbs(halls[0].busy - 1.3 / 3) < 1e-12);
        QCOMPARE(*halls[0].load, 1.5);
        QCOMPARE(halls[0].clock, 0.8);
        QCOMPARE(*halls[1].load, 0.25);
        QCOMPARE(*tile_value(halls[0], ColourMetric::Power), 35000.0 / 3); // mean per rack
        const auto rows = tiles_at(set, Level::Rows, 0, -1);
        QCOMPARE(rows.size(), std::size_t{2});
        QCOMPARE(rows[1].name, QString("row 1"));
        const auto racks = tiles_at(set, Level::Racks, 0, 0);
        QCOMPARE(racks.size(), std::size_t{2});
        QCOMPARE(racks[1].name, QString("rack 1"));
        QCOMPARE(metric_range(set, ColourMetric::Load).second, 1.5);
    }

    void bad_racks_csv_names_the_line() {
        const QByteArray bad = QByteArray(kRacksCsv) + "4,1,2,1,1,1,8,8,x,5000,,,0.4,0,0.6,1\n";
        try {
            (void)parse_racks_csv(bad, "racks.csv");
            QFAIL("no error");
        } catch (const twin::InputError& e) {
            QCOMPARE(QString(e.what()), QString("racks.csv: line 6: it_mean_w is not a number"));
        }
        QVERIFY_THROWS_EXCEPTION(twin::InputError, (void)parse_racks_csv("a,b\n", "racks.csv"));
    }

    void tile_model_passes_the_tester() {
        TileModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto set = parse_racks_csv(kRacksCsv, "racks.csv");
        model.set_tiles(tiles_at(set, Level::Halls, -1, -1), {1});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, TileModel::Load).data().toString(), QString("150.0 %"));
        QVERIFY(model.index(1, 0).data(Qt::FontRole).value<QFont>().bold());
        model.set_tiles(tiles_at(set, Level::Racks, 0, 0), {});
        QCOMPARE(model.rowCount(), 2);
    }

    void drill_down_by_click_keyboard_and_breadcrumb() {
        QTemporaryDir dir;
        const auto r = load_result(make_result(dir));
        OverviewView v(r);
        v.resize(1200, 800);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QCOMPARE(v.level(), Level::Halls);
        QCOMPARE(v.tiles().size(), std::size_t{2});
        // Click hall 0: its rows.
        const QPoint hall0 = v.heat_map()->tile_rect(0).center().toPoint();
        QTest::mouseClick(v.heat_map(), Qt::LeftButton, {}, hall0);
        QCOMPARE(v.level(), Level::Rows);
        QCOMPARE(v.hall(), 0);
        QCOMPARE(v.tiles().size(), std::size_t{2});
        // Enter on row 0 (the current tile): its racks.
        v.heat_map()->setFocus();
        QTest::keyClick(v.heat_map(), Qt::Key_Left); // stays on the first tile
        QTest::keyClick(v.heat_map(), Qt::Key_Return);
        QCOMPARE(v.level(), Level::Racks);
        QCOMPARE(v.row(), 0);
        QVERIFY(v.breadcrumb().contains("hall:0"));
        // A rack shows its details rather than drilling further.
        v.drill(1);
        QCOMPARE(v.level(), Level::Racks);
        QVERIFY(v.detail().contains("rack 1"));
        QVERIFY(v.detail().contains("nodes 2\u20133"));
        QTest::keyClick(v.heat_map(), Qt::Key_Backspace);
        QCOMPARE(v.level(), Level::Rows);
        v.up();
        QCOMPARE(v.level(), Level::Halls);
        QVERIFY(!v.breadcrumb().contains("href"));
    }

    void fallback_without_racks_csv_says_so() {
        const auto r = load_result(kGolden);
        const auto set = load_racks(r);
        QVERIFY(!set.complete);
        QVERIFY(set.note.contains("no racks.csv"));
        QCOMPARE(set.total_racks, r.report.power.racks.count);
        OverviewView v(r);
        QCOMPARE(v.tiles().size(), r.report.power.racks.hottest.size());
        QVERIFY(locate(set, "pod", "pod 1", "access").text.startsWith("Not located"));
    }

    void bottleneck_rows_are_located() {
        const auto set = parse_racks_csv(kRacksCsv, "racks.csv");
        QCOMPARE(locate(set, "pod", "pod 1", "access").racks, (std::vector<int>{2, 3}));
        QCOMPARE(locate(set, "link", "node5/nic0 -> leaf.g1.r0 (up)", "access").racks, std::vector<int>{2});
        QCOMPARE(locate(set, "link", "leaf.g0.r3 -> spine.g0.1 (up)", "leaf-spine").racks, (std::vector<int>{0, 1}));
        QCOMPARE(locate(set, "tier", "scale-up", "scale-up").racks.size(), std::size_t{4});
        // A spine-core link belongs to its spine's pod (topology/pods.hpp); a named core link to none.
        QCOMPARE(locate(set, "link", "spine.g0.0 -> core.0 (up)", "spine-core").racks, (std::vector<int>{0, 1}));
        QVERIFY(locate(set, "link", "core.3 -> core.4 (up)", "spine-core").racks.empty());
    }

    // Selecting a link row in the bottlenecks tab outlines its rack in the overview.
    void selecting_a_bottleneck_row_highlights_the_overview() {
        QTemporaryDir dir;
        MainWindow w;
        QVERIFY(w.open_path(make_result(dir)));
        auto* overview = qobject_cast<OverviewView*>(w.tabs()->widget(TabOverview));
        QVERIFY(overview != nullptr);
        auto* table = w.tabs()->widget(TabBottlenecks)->findChild<QTableView*>("bottleneck_table");
        QVERIFY(table != nullptr);
        int link_row = -1;
        for (int i = 0; i < table->model()->rowCount() && link_row < 0; ++i) {
            if (table->model()->index(i, BottleneckModel::Kind).data().toString() == "link" &&
                table->model()->index(i, BottleneckModel::Name).data().toString().startsWith("node0/")) {
                link_row = i;
            }
        }
        QVERIFY(link_row >= 0);
        table->setCurrentIndex(table->model()->index(link_row, 0));
        QVERIFY(overview->highlight_text().contains("rack 0"));
        QCOMPARE(overview->highlighted_tiles(), std::set<int>{0}); // hall 0 holds rack 0
    }

    // The settings dialog writes the keys the GUI reads; the overview opens coloured by the saved metric.
    void settings_persist_and_apply() {
        {
            SettingsDialog d;
            d.cli_field()->setText("/opt/ct/clustertwin");
            d.runs_field()->setText("  ");
            d.timeline_box()->setChecked(true);
            d.metric_box()->setCurrentIndex(static_cast<int>(ColourMetric::Load));
            d.save();
        }
        QSettings s;
        QCOMPARE(s.value("cli/path").toString(), QString("/opt/ct/clustertwin"));
        QVERIFY(!s.contains("runs/dir")); // blank: the default
        QCOMPARE(s.value("run/timeline").toBool(), true);
        SettingsDialog again;
        QCOMPARE(again.cli_field()->text(), QString("/opt/ct/clustertwin"));
        QTemporaryDir dir;
        OverviewView v(load_result(make_result(dir)));
        QCOMPARE(v.metric(), ColourMetric::Load);
        s.clear();
    }

    void overview_renders() {
        QTemporaryDir dir;
        const auto r = load_result(make_result(dir));
        std::unique_ptr<QWidget> v(make_overview_view(r));
        const QImage image = render_widget(v.get(), QSize(1200, 800));
        QVERIFY(!looks_blank(image));
    }
};

QTEST_MAIN(GuiOverview)
#include "gui_overview_test.moc"
