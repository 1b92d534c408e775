// Every view rendered to PNG for two bundled scenarios (their editors, and their results as the
// goldens hold them) under the build folder, and the campaign and serving tabs for the goldens
// with those sections; none may be blank.
#include "twin/gui/render.hpp"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using namespace twin::gui;

class GuiRender : public QObject {
    Q_OBJECT
private slots:
    void blank_detection() {
        QImage white(200, 100, QImage::Format_RGB32);
        white.fill(Qt::white);
        QVERIFY(looks_blank(white));
        QImage busy = white;
        for (int x = 0; x < 200; ++x) {
            for (int y = 0; y < 50; ++y) {
                busy.setPixel(x, y, qRgb(x, y * 5, 255 - x));
            }
        }
        QVERIFY(!looks_blank(busy));
    }

    void every_view_of_two_bundled_scenarios() {
        const QString out = TWIN_GUI_TEST_DIR "/render";
        QDir(out).removeRecursively();
        const QString src = TWIN_SOURCE_DIR;
        std::vector<LoadedResult> results{load_result(src + "/tests/golden/llama3-70b-superpod.report.json"),
                                          load_result(src + "/tests/golden/b200-air-hall-throttle.report.json")};
        const auto r =
            render_all({src + "/scenarios/llama3-70b-superpod.json", src + "/scenarios/b200-air-hall-throttle.json"},
                       results, out);
        // 2 editors + 2 x (workload, overview, bottlenecks, power, timeline) + compare, and the
        // build-out view of each result with a "bom" section.
        const auto with_bom = std::count_if(results.begin(), results.end(),
                                            [](const LoadedResult& x) { return x.report.bom.has_value(); });
        QCOMPARE(r.written.size(), 13 + static_cast<int>(with_bom));
        QVERIFY2(r.blank.isEmpty(), qPrintable(r.blank.join(", ")));
        for (const QString& f : r.written) {
            QVERIFY(QFileInfo(f).size() > 10000);
        }
        QVERIFY(r.written.contains(out + "/llama3-70b-superpod-timeline.png"));
        QVERIFY(r.written.contains(out + "/compare.png"));
    }

    // The campaign and serving tabs render for the results that have those sections (and only
    // for them), and three results add compare-all.png.
    void campaign_serving_and_compare_all() {
        const QString out = TWIN_GUI_TEST_DIR "/render-sections";
        QDir(out).removeRecursively();
        const QString golden = TWIN_SOURCE_DIR "/tests/golden/";
        std::vector<LoadedResult> results{load_result(golden + "llama3-405b-16k-h100-campaign.report.json"),
                                          load_result(golden + "llama3-70b-serving-8xh100.report.json"),
                                          load_result(golden + "b200-air-hall-throttle.report.json")};
        const auto r = render_all({}, results, out);
        // 3 x 5 views + campaign + serving + compare + compare-all, and the build-out view of each
        // result with a "bom" section.
        const auto with_bom = std::count_if(results.begin(), results.end(),
                                            [](const LoadedResult& x) { return x.report.bom.has_value(); });
        QCOMPARE(r.written.size(), 19 + static_cast<int>(with_bom));
        QVERIFY2(r.blank.isEmpty(), qPrintable(r.blank.join(", ")));
        QVERIFY(r.written.contains(out + "/llama3-405b-16k-h100-campaign-campaign.png"));
        QVERIFY(r.written.contains(out + "/llama3-70b-serving-8xh100-serving.png"));
        QVERIFY(!r.written.contains(out + "/llama3-70b-serving-8xh100-campaign.png"));
        QVERIFY(r.written.contains(out + "/compare-all.png"));
        for (const QString& f : r.written) {
            QVERIFY(QFileInfo(f).size() > 10000);
        }
    }
};

QTEST_MAIN(GuiRender)
#include "gui_render_test.moc"
