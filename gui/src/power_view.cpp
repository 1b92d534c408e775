// The power and cooling view (views.hpp): the power figures, the hottest racks against their
// cooling capacity and IT/facility power over the step.
#include "twin/gui/table_models.hpp"
#include "twin/gui/views.hpp"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QSplitter>
#include <QTableView>
#include <QValueAxis>
#include <algorithm>

namespace twin::gui {

namespace {

QChartView* power_over_time(const report::PowerReport& p) {
    auto* chart = new QChart;
    chart->setTitle("Power over the step");
    double peak_w = 0.0;
    for (const auto& s : p.series) {
        peak_w = std::max({peak_w, s.it_max_w, s.facility_mean_w});
    }
    const bool mw = peak_w >= 1e7; // MW above 10 MW, else kW
    const double div = mw ? 1e6 : 1e3;
    const QString unit = mw ? "MW" : "kW";
    auto* it = new QLineSeries;
    it->setName("IT mean");
    auto* it_max = new QLineSeries;
    it_max->setName("IT max");
    auto* fac = new QLineSeries;
    fac->setName("facility mean");
    double top = 0.0, end = 0.0;
    for (const auto& s : p.series) {
        it->append(s.time_s * 1e3, s.it_mean_w / div);
        it_max->append(s.time_s * 1e3, s.it_max_w / div);
        fac->append(s.time_s * 1e3, s.facility_mean_w / div);
        top = std::max({top, s.it_max_w / div, s.facility_mean_w / div});
        end = std::max(end, (s.time_s + p.series_bin_s) * 1e3);
    }
    auto* x = new QValueAxis;
    x->setTitleText("time (ms)");
    time_axis(x, end);
    auto* y = new QValueAxis;
    y->setTitleText("power (" + unit + ")");
    y->setRange(0, top > 0 ? top * 1.1 : 1);
    nice_axis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* s : {it, it_max, fac}) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setRubberBand(QChartView::HorizontalRubberBand);
    return view;
}

} // namespace

QWidget* make_power_view(const LoadedResult& r, QWidget* parent) {
    auto* split = new QSplitter(Qt::Horizontal, parent);
    split->setObjectName("power_view");
    const auto& p = r.report.power;
    auto* model = new MetricTableModel(split);
    model->set_single(group_metrics(result_metrics(r.report), "Power"));
    split->addWidget(titled(table_for(model, split, false), r.label + ": power and cooling", split));

    auto* charts = new QSplitter(Qt::Vertical, split);
    const auto& racks = p.racks.hottest;
    if (racks.empty()) {
        charts->addWidget(empty_note("No rack power in this result."));
    } else {
        QStringList names;
        BarSet peak{"IT peak (kW)", {}}, mean{"IT mean (kW)", {}}, cap{"cooling capacity (kW)", {}};
        bool any_cap = false;
        const std::size_t n = std::min<std::size_t>(racks.size(), 12);
        for (std::size_t i = 0; i < n; ++i) {
            names << QString::number(racks[i].id);
            peak.values.push_back(racks[i].it.peak_w / 1e3);
            mean.values.push_back(racks[i].it.mean_w / 1e3);
            cap.values.push_back(std::max(0.0, racks[i].capacity_w / 1e3));
            any_cap = any_cap || racks[i].capacity_w >= 0;
        }
        std::vector<BarSet> sets{peak, mean};
        if (any_cap) {
            sets.push_back(cap);
        }
        const QString title = QString("Hottest racks (by id) of %1 (PUE %2, %3 limit violations, %4 throttled ops)")
                                  .arg(p.racks.count)
                                  .arg(p.pue_mean, 0, 'f', 2)
                                  .arg(p.violation_count)
                                  .arg(p.cooling.throttled_compute_ops);
        charts->addWidget(bar_chart(title, names, sets, "kW", false, false));
    }
    if (p.series.empty()) {
        charts->addWidget(empty_note("No power series in this result."));
    } else {
        charts->addWidget(power_over_time(p));
    }
    split->addWidget(charts);
    split->setSizes({560, 840});
    return split;
}

} // namespace twin::gui
