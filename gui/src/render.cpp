// Rendering views to PNG (render.hpp).
#include "twin/gui/render.hpp"

#include "twin/gui/bom_view.hpp"
#include "twin/gui/multi_compare.hpp"
#include "twin/gui/overview.hpp"
#include "twin/gui/scenario_editor.hpp"
#include "twin/gui/section_views.hpp"
#include "twin/gui/views.hpp"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QWidget>
#include <algorithm>
#include <memory>
#include <unordered_map>

namespace twin::gui {

QImage render_widget(QWidget* w, QSize size, qreal dpr) {
    w->setAttribute(Qt::WA_DontShowOnScreen);
    w->resize(size);
    w->show();
    for (int i = 0; i < 3; ++i) {
        QApplication::processEvents();
    }
    QImage image(size * dpr, QImage::Format_ARGB32);
    image.setDevicePixelRatio(dpr);
    image.fill(Qt::white);
    QPainter painter(&image);
    w->render(&painter);
    painter.end();
    w->hide();
    return image;
}

bool looks_blank(const QImage& image) {
    if (image.isNull()) {
        return true;
    }
    std::unordered_map<QRgb, std::int64_t> counts;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x) {
            ++counts[line[x]];
        }
    }
    std::int64_t top = 0;
    for (const auto& [c, n] : counts) {
        top = std::max(top, n);
    }
    const auto total = static_cast<std::int64_t>(img.width()) * img.height();
    return counts.size() < 8 || (total - top) * 100 < total;
}

namespace {

QWidget* make_overview_widget(const LoadedResult& r, QWidget* parent) {
    return make_overview_view(r, parent);
}

void save(QWidget* w, const QString& file, RenderOutput& out) {
    // At the screen's pixel ratio: QT_SCALE_FACTOR=2 renders a high-DPI image (2800 x 1720).
    const QImage image = render_widget(w, QSize(1400, 860), qApp->devicePixelRatio());
    if (image.save(file)) {
        out.written << file;
        if (looks_blank(image)) {
            out.blank << file;
        }
    }
}

} // namespace

RenderOutput render_all(const QStringList& scenarios, const std::vector<LoadedResult>& results,
                        const QString& out_dir) {
    RenderOutput out;
    QDir().mkpath(out_dir);
    for (const QString& s : scenarios) {
        ScenarioEditor editor;
        if (editor.open(s)) {
            save(&editor, out_dir + "/" + QFileInfo(s).completeBaseName() + "-editor.png", out);
        }
    }
    for (const auto& r : results) {
        const QString prefix = out_dir + "/" + QString::fromStdString(r.report.scenario.name);
        using Make = QWidget* (*)(const LoadedResult&, QWidget*);
        const std::pair<const char*, Make> views[] = {
            {"workload", &make_workload_view},      {"overview", &make_overview_widget},
            {"bottlenecks", &make_bottleneck_view}, {"power", &make_power_view},
            {"timeline", &make_timeline_view},      {"campaign", &make_campaign_view}, // nullptr: no section
            {"serving", &make_serving_view}};
        for (const auto& [name, make] : views) {
            if (std::unique_ptr<QWidget> w(make(r, nullptr)); w) {
                save(w.get(), prefix + "-" + name + ".png", out);
            }
        }
        // The node level: the overview expanded into the nodes of the rack with the highest IT peak.
        OverviewView nodes(r);
        const auto& racks = nodes.racks().racks;
        if (nodes.racks().complete && !racks.empty()) {
            const auto hot = std::max_element(racks.begin(), racks.end(), [](const RackInfo& a, const RackInfo& b) {
                return a.it_peak_w < b.it_peak_w;
            });
            nodes.set_grouping(Level::Rows);
            nodes.go_to(Level::Racks, hot->hall, hot->row);
            const auto& tiles = nodes.tiles();
            for (std::size_t i = 0; i < tiles.size(); ++i) {
                if (tiles[i].id == hot->rack) {
                    nodes.drill(static_cast<int>(i));
                }
            }
            if (nodes.level() == Level::Nodes) {
                save(&nodes, prefix + "-nodes.png", out);
            }
            // The fabric pods of that rack's hall, when it has two or more.
            OverviewView pods(r);
            pods.set_grouping(Level::Pods);
            pods.go_to(Level::Pods, hot->hall, -1);
            if (pods.tiles().size() >= 2) {
                save(&pods, prefix + "-pods.png", out);
            }
        }
        if (r.report.bom) { // the Build-out tab (bom_view.hpp), for reports with the section
            std::unique_ptr<QWidget> bom(make_bom_view(r));
            save(bom.get(), prefix + "-buildout.png", out);
        }
    }
    if (results.size() >= 2) {
        std::unique_ptr<QWidget> w(make_compare_view(results[0], results[1]));
        save(w.get(), out_dir + "/compare.png", out);
    }
    if (results.size() >= 3) {
        std::vector<const LoadedResult*> all;
        for (const auto& r : results) {
            all.push_back(&r);
        }
        std::unique_ptr<QWidget> w(make_multi_compare_view(all));
        save(w.get(), out_dir + "/compare-all.png", out);
    }
    return out;
}

} // namespace twin::gui
