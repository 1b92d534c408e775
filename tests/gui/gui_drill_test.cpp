// The overview's pod and node levels: racks grouped by fabric pod (figures derived by hand below),
// nodes.csv read back into node tiles under QAbstractItemModelTester, bad nodes.csv lines named,
// drill-down halls -> pods -> racks -> nodes and back, and the node level rendered (not blank).
#include "twin/core/error.hpp"
#include "twin/gui/node_data.hpp"
#include "twin/gui/overview.hpp"
#include "twin/gui/render.hpp"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace twin::gui;

namespace {

const QString kGolden = TWIN_SOURCE_DIR "/tests/golden/b200-air-hall-throttle.report.json";

// The four racks of gui_overview_test.cpp: hall 0 = racks 0, 1 (pod 0, row 0) and rack 2 (pod 1,
// row 1); hall 1 = rack 3 (pod 1). Nodes are numbered rack by rack: racks 0-2 hold nodes 0-1, 2-3,
// 4-5; rack 3 node 6.
const char* kRacksCsv =
    "rack,hall,row,cdu,pod,nodes,gpus,ranks,it_mean_w,it_peak_w,power_limit_w,cooling_capacity_w,compute,"
    "communication,idle,clock\n"
    "0,0,0,0,0,2,16,16,10000,12000,20000,,0.5,0.2,0.3,1\n"
    "1,0,0,0,0,2,16,16,20000,30000,20000,25000,0.7,0.1,0.2,0.8\n"
    "2,0,1,1,1,2,16,16,5000,6000,20000,,0.1,0.1,0.8,1\n"
    "3,1,2,1,1,1,8,8,4000,5000,20000,,0.4,0,0.6,1\n";

QByteArray node_line(int node, int rack, double compute, double comm, const char* per_compute) {
    QByteArray comm8;
    for (int g = 0; g < 8; ++g) {
        comm8 += (g ? " " : "") + QByteArray::number(comm);
    }
    return QByteArray::number(node) + "," + QByteArray::number(rack) + ",DGX,8,8," + QByteArray::number(compute) + "," +
           QByteArray::number(comm) + "," + QByteArray::number(1 - compute - comm) + "," + per_compute + "," + comm8 +
           "\n";
}

// Node 3 (rack 1): GPUs 0-3 compute 0.9, GPUs 4-7 0.5: node share (4 x 0.9 + 4 x 0.5) / 8 = 0.7.
QByteArray nodes_csv() {
    QByteArray s = "node,rack,type,gpus,ranks,compute,communication,idle,gpu_compute,gpu_communication\n";
    const char* even = "0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5";
    s += node_line(0, 0, 0.5, 0.2, even);
    s += node_line(1, 0, 0.5, 0.2, even);
    s += node_line(2, 1, 0.7, 0.1, "0.7 0.7 0.7 0.7 0.7 0.7 0.7 0.7");
    s += node_line(3, 1, 0.7, 0.1, "0.9 0.9 0.9 0.9 0.5 0.5 0.5 0.5");
    s += node_line(4, 2, 0.1, 0.1, "0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1");
    s += node_line(5, 2, 0.1, 0.1, "0.1 0.1 0.1 0.1 0.1 0.1 0.1 0.1");
    s += node_line(6, 3, 0.4, 0.0, "0.4 0.4 0.4 0.4 0.4 0.4 0.4 0.4");
    return s;
}

QString make_result(const QTemporaryDir& dir, bool with_nodes) {
    QFile::copy(kGolden, dir.filePath("report.json"));
    QFile f(dir.filePath("racks.csv"));
    f.open(QIODevice::WriteOnly);
    f.write(kRacksCsv);
    if (with_nodes) {
        QFile n(dir.filePath("nodes.csv"));
        n.open(QIODevice::WriteOnly);
        n.write(nodes_csv());
    }
    return dir.path();
}

} // namespace

class GuiDrill : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("clustertwin-test");
        QCoreApplication::setApplicationName("gui-drill-test");
        QSettings().clear();
    }

    // Hall 0 by pod: pod 0 = racks 0, 1 (32 GPUs, 10 + 20 = 30 kW, compute (0.5 + 0.7) x 16 / 32 =
    // 0.6, clock 0.8); pod 1 = rack 2 (16 GPUs, 5 kW, 0.1). Pod 1's racks over both halls: 2 and 3.
    void pods_group_racks_by_hand() {
        const auto set = parse_racks_csv(kRacksCsv, "racks.csv");
        const auto pods = tiles_at(set, Level::Pods, 0, -1);
        QCOMPARE(pods.size(), std::size_t{2});
        QCOMPARE(pods[0].name, QString("pod 0"));
        QCOMPARE(pods[0].gpus, 32);
        QCOMPARE(pods[0].power_mean_w, 30000.0);
        QVERIFY(qAbs(pods[0].busy - 0.6) < 1e-12);
        QCOMPARE(pods[0].clock, 0.8);
        QCOMPARE(pods[1].gpus, 16);
        QCOMPARE(tiles_at(set, Level::Racks, 0, 1, Level::Pods).size(), std::size_t{1});
        const auto pod1 = tiles_at(set, Level::Racks, -1, 1, Level::Pods);
        QCOMPARE(pod1.size(), std::size_t{2});
        QCOMPARE(pod1[1].name, QString("rack 3"));
        // By row, group 0 is row 0 (racks 0, 1), as before.
        QCOMPARE(tiles_at(set, Level::Racks, 0, 0).size(), std::size_t{2});
    }

    void node_tiles_from_nodes_csv() {
        const auto set = parse_racks_csv(kRacksCsv, "racks.csv");
        const auto nodes = parse_nodes_csv(nodes_csv(), "nodes.csv");
        QVERIFY(nodes.present);
        QCOMPARE(nodes.nodes.size(), std::size_t{7});
        const auto tiles = node_tiles(set, nodes, 1);
        QCOMPARE(tiles.size(), std::size_t{2});
        QCOMPARE(tiles[1].name, QString("node 3"));
        QCOMPARE(tiles[1].busy, 0.7);
        QCOMPARE(tiles[1].clock, 0.8); // rack 1's throttle clock
        QCOMPARE(tiles[1].gpu_shares[0], std::make_pair(0.9, 0.1));
        QCOMPARE(tiles[1].gpu_shares[7], std::make_pair(0.5, 0.1));
        QVERIFY(!tile_value(tiles[1], ColourMetric::Power)); // power is per rack
        QVERIFY(!tile_value(tiles[1], ColourMetric::Load));
        QCOMPARE(*tile_value(tiles[1], ColourMetric::Busy), 0.7);
        const QString text = node_text(tiles[1], tiles[1].clock);
        QVERIFY2(text.contains("gpu0 90 % / 10 %") && text.contains("gpu7 50 % / 10 %"), qPrintable(text));
        QVERIFY(text.contains("compute 70 %"));
        QCOMPARE(node_tiles(set, nodes, 3).size(), std::size_t{1});
        QVERIFY(node_tiles(set, NodeSet{}, 1).empty());
        TileModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.set_tiles(tiles, {1});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, TileModel::Busy).data().toString(), QString("70.0 %"));
        QCOMPARE(model.index(1, TileModel::Power).data().toString(), QString("\u2014"));
        model.set_tiles({}, {});
        QCOMPARE(model.rowCount(), 0);
    }

    void bad_nodes_csv_names_the_line() {
        const auto fails = [](const QByteArray& text, const QString& where) {
            try {
                (void)parse_nodes_csv(text, "nodes.csv");
            } catch (const twin::InputError& e) {
                return QString(e.what()).contains(where);
            }
            return false;
        };
        QVERIFY(fails("node,rack\n", "line 1"));
        QByteArray text = nodes_csv();
        QVERIFY(fails(QByteArray(text).replace("0.9 0.9 0.9 0.9 ", "0.9 0.9 0.9 "), "line 5"));
        QVERIFY(fails(QByteArray(text).replace("\n2,1,DGX", "\n7,1,DGX"), "line 4"));
        QVERIFY(fails(QByteArray(text).replace("\n6,3,DGX,8,8,0.4", "\n6,3,DGX,8,8,x"), "line 8"));
    }

    void drill_halls_pods_racks_nodes_and_back() {
        QTemporaryDir dir;
        const auto r = load_result(make_result(dir, true));
        OverviewView v(r);
        v.resize(1200, 800);
        v.set_grouping(Level::Pods);
        QCOMPARE(QSettings().value("overview/group", 0).toInt(), 0); // only the combo box saves it
        QCOMPARE(v.level(), Level::Halls);
        v.drill(0);
        QCOMPARE(v.level(), Level::Pods);
        QCOMPARE(v.tiles().size(), std::size_t{2});
        v.drill(0); // pod 0
        QCOMPARE(v.level(), Level::Racks);
        QCOMPARE(v.tiles().size(), std::size_t{2});
        v.drill(1); // rack 1: its nodes
        QCOMPARE(v.level(), Level::Nodes);
        QCOMPARE(v.rack(), 1);
        QCOMPARE(v.tiles().size(), std::size_t{2});
        QVERIFY(v.detail().contains("rack 1"));
        QVERIFY(v.breadcrumb().contains("group:0"));
        QVERIFY(v.breadcrumb().endsWith("rack 1"));
        v.drill(1);
        QVERIFY(v.detail().contains("node 3"));
        QVERIFY(!looks_blank(render_widget(&v, QSize(1200, 800))));
        v.up();
        QCOMPARE(v.level(), Level::Racks);
        v.up();
        QCOMPARE(v.level(), Level::Pods);
        v.up();
        QCOMPARE(v.level(), Level::Halls);
        // Switching the grouping inside a hall goes back to the hall's rows.
        v.drill(0);
        v.set_grouping(Level::Rows);
        QCOMPARE(v.level(), Level::Rows);
        QCOMPARE(v.hall(), 0);
    }

    // Without nodes.csv (results written before it), a rack shows its details and says why there
    // are no nodes.
    void rack_without_nodes_csv_says_so() {
        QTemporaryDir dir;
        const auto r = load_result(make_result(dir, false));
        OverviewView v(r);
        v.go_to(Level::Racks, 0, 0);
        v.drill(0);
        QCOMPARE(v.level(), Level::Racks);
        QVERIFY(v.detail().contains("no nodes.csv"));
    }
};

QTEST_MAIN(GuiDrill)
#include "gui_drill_test.moc"
