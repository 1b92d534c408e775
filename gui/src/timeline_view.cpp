// The timeline view (views.hpp): over the step, the GPUs' compute / communication / idle share
// (the rank classes weighted by their ranks: share = sum(class share x ranks) / sum(ranks)), the
// mean utilisation of each whole link tier, and facility power. Each bin is drawn as a step
// (constant over [t, t + bin)). Drag on a chart to zoom into a time span, right-click to zoom out.
#include "twin/gui/views.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSplitter>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace twin::gui {

namespace {

void add_step(QLineSeries* s, double t0_ms, double t1_ms, double v) {
    s->append(t0_ms, v);
    s->append(t1_ms, v);
}

QChartView* time_chart(const QString& title, const QString& y_title, double end_ms, double y_max,
                       const std::vector<QAbstractSeries*>& series) {
    auto* chart = new QChart;
    chart->setTitle(title);
    auto* x = new QValueAxis;
    x->setTitleText("time in the step (ms)");
    time_axis(x, end_ms);
    auto* y = new QValueAxis;
    y->setTitleText(y_title);
    y->setRange(0, y_max > 0 ? y_max : 1);
    nice_axis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* s : series) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setAlignment(Qt::AlignRight);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setRubberBand(QChartView::HorizontalRubberBand);
    view->setMinimumHeight(view->fontMetrics().height() * 11);
    return view;
}

QWidget* gpu_share_chart(const report::SeriesReport& s, double end_ms) {
    const std::size_t bins = s.time_s.size();
    std::vector<double> compute(bins, 0.0), comm(bins, 0.0);
    double ranks = 0.0;
    for (const auto& c : s.classes) {
        for (std::size_t i = 0; i < bins && i < c.compute.size() && i < c.communication.size(); ++i) {
            compute[i] += c.compute[i] * c.ranks;
            comm[i] += c.communication[i] * c.ranks;
        }
        ranks += c.ranks;
    }
    auto *lower = new QLineSeries, *mid = new QLineSeries, *upper = new QLineSeries, *top = new QLineSeries;
    for (std::size_t i = 0; i < bins; ++i) {
        const double t0 = s.time_s[i] * 1e3, t1 = i + 1 < bins ? s.time_s[i + 1] * 1e3 : end_ms;
        const double c = ranks > 0 ? 100.0 * compute[i] / ranks : 0.0;
        const double m = ranks > 0 ? 100.0 * comm[i] / ranks : 0.0;
        add_step(lower, t0, t1, 0.0);
        add_step(mid, t0, t1, c);
        add_step(upper, t0, t1, std::min(100.0, c + m));
        add_step(top, t0, t1, 100.0);
    }
    auto* a = new QAreaSeries(mid, lower);
    a->setName("compute");
    auto* b = new QAreaSeries(upper, mid);
    b->setName("communication");
    auto* c = new QAreaSeries(top, upper);
    c->setName("idle");
    a->setColor(QColor(60, 130, 200));
    b->setColor(QColor(235, 150, 50));
    c->setColor(QColor(200, 200, 200));
    return time_chart("GPU time share (all ranks)", "% of GPU time", end_ms, 100.0, {a, b, c});
}

// The Perfetto timeline a run wrote beside its result folder (the GUI's runs) or inside it.
QString perfetto_file(const LoadedResult& r) {
    QDir dir = QFileInfo(r.path).absoluteDir();
    if (dir.exists("timeline.json")) {
        return dir.absoluteFilePath("timeline.json");
    }
    return dir.cdUp() && dir.exists("timeline.json") ? dir.absoluteFilePath("timeline.json") : QString();
}

} // namespace

QWidget* make_timeline_view(const LoadedResult& r, QWidget* parent) {
    auto* host = new QWidget(parent);
    host->setObjectName("timeline_view");
    auto* layout = new QVBoxLayout(host);
    layout->setContentsMargins(0, 0, 0, 0);
    const QString trace = perfetto_file(r);
    auto* bar = new QHBoxLayout;
    const int em = host->fontMetrics().averageCharWidth();
    bar->setContentsMargins(em, em / 2, em, 0);
    auto* note =
        new QLabel(trace.isEmpty() ? QString("Drag to zoom, right-click to zoom out. For every op of the first "
                                             "ranks, tick Run \u2192 Write a Perfetto timeline and run again.")
                                   : "Drag to zoom, right-click to zoom out. Perfetto timeline: " + trace,
                   host);
    note->setObjectName("perfetto_note");
    note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(note, 1);
    if (!trace.isEmpty()) {
        // Perfetto's UI opens files chosen in the browser ("Open trace file"): the path goes to the
        // clipboard for that dialog.
        auto* open = new QPushButton("Open in &Perfetto (path copied)", host);
        open->setObjectName("perfetto_open");
        open->setToolTip("Opens https://ui.perfetto.dev and copies " + trace + " to the clipboard");
        QObject::connect(open, &QPushButton::clicked, [trace] {
            QGuiApplication::clipboard()->setText(trace);
            QDesktopServices::openUrl(QUrl("https://ui.perfetto.dev"));
        });
        bar->addWidget(open);
    }
    layout->addLayout(bar);
    auto* split = new QSplitter(Qt::Vertical, host);
    layout->addWidget(split, 1);
    const auto& s = r.report.series;
    const double end_ms = r.report.simulated_time_s * 1e3;
    if (s.time_s.empty()) {
        split->addWidget(empty_note("No time series in this result."));
        return host;
    }
    split->addWidget(gpu_share_chart(s, end_ms));

    std::vector<QAbstractSeries*> tiers;
    double tier_max = 0.0;
    for (const auto& t : s.tiers) {
        if (t.pod != -1) {
            continue; // whole tiers only; pods are in the bottlenecks table
        }
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(t.tier));
        for (std::size_t i = 0; i < s.time_s.size() && i < t.util_mean.size(); ++i) {
            const double t1 = i + 1 < s.time_s.size() ? s.time_s[i + 1] * 1e3 : end_ms;
            add_step(line, s.time_s[i] * 1e3, t1, t.util_mean[i] * 100.0);
            tier_max = std::max(tier_max, t.util_mean[i] * 100.0);
        }
        tiers.push_back(line);
    }
    if (tiers.empty()) {
        split->addWidget(empty_note("No link tiers carried traffic."));
    } else {
        split->addWidget(time_chart("Link tier utilisation (mean over the tier's links)", "% of capacity", end_ms,
                                    std::min(100.0, std::max(5.0, tier_max * 1.15)), tiers));
    }

    const auto& p = r.report.power;
    if (!p.series.empty()) {
        auto* fac = new QLineSeries;
        fac->setName("facility");
        auto* it = new QLineSeries;
        it->setName("IT");
        double top = 0.0;
        for (const auto& pt : p.series) {
            top = std::max(top, pt.facility_mean_w);
        }
        const double div = top >= 1e7 ? 1e6 : 1e3; // MW above 10 MW, else kW
        for (const auto& pt : p.series) {
            const double t0 = pt.time_s * 1e3, t1 = std::min(end_ms, (pt.time_s + p.series_bin_s) * 1e3);
            add_step(fac, t0, t1, pt.facility_mean_w / div);
            add_step(it, t0, t1, pt.it_mean_w / div);
        }
        split->addWidget(time_chart("Power", div == 1e6 ? "MW" : "kW", end_ms, top / div * 1.1, {fac, it}));
    }
    return host;
}

} // namespace twin::gui
