// The "Build-out" tab: the report's "bom" section (hand-built figures) shown as table rows, the
// note for a report without it, the tab the main window gains when it shows a result, and the view
// rendered to a non-blank image.
#include "twin/gui/bom_view.hpp"
#include "twin/gui/main_window.hpp"
#include "twin/gui/render.hpp"

#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>
#include <memory>

using namespace twin::gui;

namespace {

// One SuperPOD scalable unit's figures (tests/report/bom_report_test.cpp), with a capex.
LoadedResult with_bom() {
    LoadedResult r;
    r.label = "su1";
    r.report.scenario.name = "su1";
    twin::report::BomReport b;
    b.layout = "derived default floor plan";
    b.halls = 1;
    b.gpus = 256;
    b.servers = 32;
    b.compute_racks = 8;
    b.network_racks = 2;
    b.pdus = 52;
    b.switches = {{"leaf QM9700", 8}, {"spine QM9700", 4}};
    b.nics = {{"ConnectX-7 (compute)", 256}};
    b.transceivers = {{"OSFP 800G SR (2x400G)", 448}};
    b.cables = {{"AEC", {64, 408.96, 448.0}}, {"fibre multimode", {448, 5143.68, 6080.0}}};
    b.optics_power_w = 8064.0;
    b.port_check = "passed";
    b.capex = twin::report::BomCapexReport{"USD", true, "prices.json", 10734400.0, 41931.25, 3e5, std::nullopt};
    r.report.bom = b;
    return r;
}

QStringList row_of(QAbstractItemModel* m, const QString& item) {
    for (int i = 0; i < m->rowCount(); ++i) {
        if (m->index(i, 1).data().toString() == item) {
            QStringList cells;
            for (int c = 0; c < m->columnCount(); ++c) {
                cells << m->index(i, c).data().toString();
            }
            return cells;
        }
    }
    return {};
}

} // namespace

class GuiBom : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("clustertwin-test");
        QCoreApplication::setApplicationName("gui-bom-test");
        QSettings().clear();
    }

    void the_table_shows_the_numbers() {
        std::unique_ptr<QWidget> w(make_bom_view(with_bom()));
        auto* table = w->findChild<QTableView*>("bom_table");
        QVERIFY(table != nullptr);
        auto* m = table->model();
        QCOMPARE(row_of(m, "GPUs"), (QStringList{"compute", "GPUs", "256", ""}));
        QCOMPARE(row_of(m, "leaf QM9700"), (QStringList{"switches", "leaf QM9700", "8", ""}));
        QCOMPARE(row_of(m, "spine QM9700").at(2), QString("4"));
        QCOMPARE(row_of(m, "network racks").at(2), QString("2"));
        QCOMPARE(row_of(m, "OSFP 800G SR (2x400G)").at(2), QString("448"));
        QCOMPARE(row_of(m, "fibre multimode"),
                 (QStringList{"cables", "fibre multimode", "448", "5144 m routed, 6080 m stock lengths"}));
        QCOMPARE(row_of(m, "AEC").at(3), QString("409 m routed, 448 m stock lengths"));
        QCOMPARE(row_of(m, "optics (plan)").at(2), QString("8.06 kW"));
        QCOMPARE(row_of(m, "capex total"),
                 (QStringList{"cost", "capex total", "10734400 USD", "prices.json: ILLUSTRATIVE prices"}));
        QCOMPARE(row_of(m, "cabling plan port check").at(2), QString("passed"));
        QVERIFY(row_of(m, "per million tokens").isEmpty()); // no training throughput given
        QVERIFY(row_of(m, "NVSwitch trays").isEmpty());     // none in a DGX H100 build
    }

    void a_report_without_the_section_shows_a_note() {
        LoadedResult r;
        std::unique_ptr<QWidget> w(make_bom_view(r));
        QVERIFY(w->findChild<QTableView*>("bom_table") == nullptr);
        const auto labels = w->findChildren<QLabel*>();
        QVERIFY(!labels.isEmpty());
        QVERIFY(labels.front()->text().contains("No build-out"));
    }

    void the_main_window_gains_one_build_out_tab() {
        QTabWidget tabs;
        tabs.addTab(new QWidget, "A");
        show_bom_tab(&tabs, with_bom());
        QCOMPARE(tabs.count(), 2);
        QCOMPARE(tabs.tabText(1), QString("B&uild-out"));
        show_bom_tab(&tabs, LoadedResult{}); // replaced in place
        QCOMPARE(tabs.count(), 2);
        QVERIFY(tabs.widget(1)->findChild<QTableView*>("bom_table") == nullptr);

        MainWindow window;
        const int before = window.tabs()->count();
        LoadedResult golden = load_result(TWIN_SOURCE_DIR "/tests/golden/superpod-su-h100-256.report.json");
        golden.report.bom = with_bom().report.bom;
        const QString file = TWIN_GUI_TEST_DIR "/bom.report.json";
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(QByteArray::fromStdString(twin::report::to_json(golden.report).dump(1)));
        out.close();
        QVERIFY(window.open_path(file));
        QCOMPARE(window.tabs()->count(), before + 1);
        auto* table = window.tabs()->widget(before)->findChild<QTableView*>("bom_table");
        QVERIFY(table != nullptr);
        QCOMPARE(row_of(table->model(), "GPUs").at(2), QString("256"));
    }

    void renders_to_a_non_blank_image() {
        std::unique_ptr<QWidget> w(make_bom_view(with_bom()));
        QVERIFY(!looks_blank(render_widget(w.get(), QSize(1400, 860), 1.0)));
    }
};

QTEST_MAIN(GuiBom)
#include "gui_bom_test.moc"
