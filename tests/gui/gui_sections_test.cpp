// The campaign and serving tabs: the figures they show match the report (the goldens of two
// bundled scenarios, numbers quoted from them below), their charts hold the series, the compare
// metrics carry their headline figures, the main window adds and removes the tabs with the result,
// and they render (not blank).
#include "twin/gui/main_window.hpp"
#include "twin/gui/render.hpp"
#include "twin/gui/section_views.hpp"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>
#include <memory>

using namespace twin::gui;

namespace {

const QString kCampaign = TWIN_SOURCE_DIR "/tests/golden/llama3-405b-16k-h100-campaign.report.json";
const QString kServing = TWIN_SOURCE_DIR "/tests/golden/llama3-70b-serving-8xh100.report.json";

QString cell(QTableWidget* t, const QString& first, int column) {
    for (int i = 0; i < t->rowCount(); ++i) {
        if (t->item(i, 0)->text() == first) {
            return t->item(i, column)->text();
        }
    }
    return {};
}

int tab_named(QTabWidget* tabs, const QString& name) {
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->widget(i)->objectName() == name) {
            return i;
        }
    }
    return -1;
}

} // namespace

class GuiSections : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // campaign.goodput {mean 0.90422, ci95 0.90364 .. 0.90480}; days_for_tokens mean 101.774;
    // mtbi_s 11086.1 (3.08 h); causes[gpu].events mean 181.19, ci95 179.216 .. 183.164.
    void campaign_view_shows_the_report() {
        const auto r = load_result(kCampaign);
        std::unique_ptr<QWidget> v(make_campaign_view(r));
        QVERIFY(v != nullptr);
        auto* est = v->findChild<QTableWidget*>("campaign_estimates");
        QVERIFY(est != nullptr);
        QCOMPARE(cell(est, "goodput", 1), QString("90.4 %"));
        QCOMPARE(cell(est, "goodput", 2), QString("90.4 % \u2013 90.5 %"));
        QCOMPARE(cell(est, "days to train", 1), QString("101.774 days"));
        auto* causes = v->findChild<QTableWidget*>("campaign_causes");
        QCOMPARE(cell(causes, "gpu", 4), QString("181.190"));
        QCOMPARE(cell(causes, "gpu", 5), QString("179.216 \u2013 183.164"));
        QCOMPARE(cell(causes, "gpu", 2), QString("16384 GPU"));
        const QString summary = v->findChild<QLabel*>("campaign_summary")->text();
        QVERIFY2(summary.contains("MTBI 3.08 h") && summary.contains("101.8 days to train"), qPrintable(summary));
        // Charts: failures by cause, the interval what-if (5 intervals at 1000 spares: 4 lines of 5
        // points), the spares what-if.
        const auto charts = v->findChildren<QChartView*>();
        QCOMPARE(charts.size(), 3);
        int five_point_lines = 0;
        for (auto* c : charts) {
            for (auto* s : c->chart()->series()) {
                if (auto* l = qobject_cast<QLineSeries*>(s); l && l->count() == 5) {
                    ++five_point_lines;
                }
            }
        }
        QCOMPARE(five_point_lines, 4);
        QVERIFY(!looks_blank(render_widget(v.get(), QSize(1400, 860))));
        QVERIFY(make_campaign_view(load_result(kServing)) == nullptr);
    }

    // serving.summary: ttft p50 29.59 ms, p99 192.29 ms; tpot p50 11.93 ms; e2e p99 8.972 s;
    // slo_attainment 0.5225; goodput 6.28 requests/s of 12.02; series of 64 bins.
    void serving_view_shows_the_report() {
        const auto r = load_result(kServing);
        std::unique_ptr<QWidget> v(make_serving_view(r));
        QVERIFY(v != nullptr);
        auto* p = v->findChild<QTableWidget*>("serving_percentiles");
        QVERIFY(p != nullptr);
        QCOMPARE(p->item(0, 2)->text(), QString("29.59 ms"));
        QCOMPARE(p->item(0, 4)->text(), QString("192.29 ms"));
        QCOMPARE(p->item(1, 2)->text(), QString("11.93 ms"));
        QCOMPARE(p->item(2, 4)->text(), QString("8.972 s"));
        const QString summary = v->findChild<QLabel*>("serving_summary")->text();
        QVERIFY2(summary.contains("52.2 % of requests met it") && summary.contains("goodput 6.28 requests/s of 12.02"),
                 qPrintable(summary));
        // KV occupancy, running + waiting, preemptions: each bin drawn as a step (2 points).
        int lines = 0;
        for (auto* c : v->findChildren<QChartView*>()) {
            for (auto* s : c->chart()->series()) {
                QCOMPARE(qobject_cast<QLineSeries*>(s)->count(), 2 * 64);
                ++lines;
            }
        }
        QCOMPARE(lines, 4);
        QVERIFY(!looks_blank(render_widget(v.get(), QSize(1400, 860))));
    }

    void compare_metrics_carry_the_headline_figures() {
        const auto c = result_metrics(load_result(kCampaign).report);
        const auto goodput = std::find_if(c.begin(), c.end(),
                                          [](const Metric& m) { return m.group == "Campaign" && m.name == "goodput"; });
        QVERIFY(goodput != c.end());
        QVERIFY(qAbs(*goodput->value - 0.9042215773626444) < 1e-12);
        QCOMPARE(goodput->better, Better::Higher);
        const auto s = result_metrics(load_result(kServing).report);
        const auto rows = compare_metrics(s, c);
        const auto ttft = std::find_if(rows.begin(), rows.end(), [](const MetricDelta& d) {
            return d.group == "Serving" && d.name == "TTFT p99";
        });
        QVERIFY(ttft != rows.end() && ttft->a && !ttft->b); // in the serving result only
        QCOMPARE(ttft->a->value.value(), 0.1922919375004235);
    }

    void main_window_adds_and_removes_the_tabs() {
        MainWindow w;
        QVERIFY(w.open_path(kCampaign));
        const int ci = tab_named(w.tabs(), "campaign_view");
        QVERIFY(ci > int(TabCompare)); // after the fixed tabs: their indices do not move
        QCOMPARE(tab_named(w.tabs(), "serving_view"), -1);
        QVERIFY(w.open_path(kServing));
        QCOMPARE(tab_named(w.tabs(), "campaign_view"), -1);
        QVERIFY(tab_named(w.tabs(), "serving_view") > int(TabCompare));
    }
};

QTEST_MAIN(GuiSections)
#include "gui_sections_test.moc"
