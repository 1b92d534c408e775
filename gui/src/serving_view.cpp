// The serving view (section_views.hpp): an "llm-inference" request simulation's latency
// percentiles (TTFT, TPOT, E2E), throughput and goodput under the SLO (report.json "serving",
// report/serving_report.hpp), and its series over time as charts: KV-cache occupancy, running and
// waiting requests, preemptions per bin.
#include "twin/gui/section_views.hpp"
#include "twin/gui/table_models.hpp"
#include "twin/gui/views.hpp"

#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace twin::gui {

namespace {

QString ms(double s) {
    return QString::fromStdString(format_metric(s, "s"));
}

struct Line {
    QString name;
    const std::vector<double>* values;
    double scale;
};

// One chart of step lines over the series' bins (time in s from the first request).
QWidget* series_chart(const models::ServingSeries& s, const QString& title, const QString& unit,
                      const std::vector<Line>& lines) {
    const std::size_t n = s.time_s.size();
    if (n == 0) {
        return empty_note("No serving series in this result.");
    }
    auto* chart = new QChart;
    chart->setTitle(title);
    auto* x = new QValueAxis;
    x->setTitleText("time (s)");
    time_axis(x, s.time_s.back() + s.bin_s);
    auto* y = new QValueAxis;
    y->setTitleText(unit);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double top = 0.0;
    for (const auto& line : lines) {
        auto* series = new QLineSeries;
        series->setName(line.name);
        for (std::size_t i = 0; i < n && i < line.values->size(); ++i) {
            const double v = (*line.values)[i] * line.scale;
            series->append(s.time_s[i], v);
            series->append(s.time_s[i] + s.bin_s, v);
            top = std::max(top, v);
        }
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    y->setRange(0, top > 0 ? top * 1.1 : 1.0);
    nice_axis(y);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setRubberBand(QChartView::HorizontalRubberBand);
    return view;
}

QTableWidget* percentile_table(const models::ServingSummary& m, QWidget* owner) {
    auto* t = new QTableWidget(3, 5, owner);
    t->setObjectName("serving_percentiles");
    t->setHorizontalHeaderLabels({"Latency", "mean", "p50", "p90", "p99"});
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const std::pair<const char*, const models::Percentiles*> rows[] = {{"TTFT (time to first token)", &m.ttft_s},
                                                                       {"TPOT (time per output token)", &m.tpot_s},
                                                                       {"E2E (request latency)", &m.e2e_s}};
    for (int i = 0; i < 3; ++i) {
        const auto& p = *rows[i].second;
        t->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        int c = 1;
        for (double v : {p.mean, p.p50, p.p90, p.p99}) {
            auto* item = new QTableWidgetItem(ms(v));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            t->setItem(i, c++, item);
        }
    }
    t->resizeColumnsToContents();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setMaximumHeight(t->horizontalHeader()->height() + 3 * t->rowHeight(0) + 2 * t->frameWidth() + 2);
    return t;
}

} // namespace

QWidget* make_serving_view(const LoadedResult& r, QWidget* parent) {
    if (!r.report.serving) {
        return nullptr;
    }
    const auto& s = *r.report.serving;
    const auto& m = s.summary;
    auto* split = new QSplitter(Qt::Horizontal, parent);
    split->setObjectName("serving_view");
    auto* left = new QWidget(split);
    auto* l = new QVBoxLayout(left);
    auto* summary = new QLabel(left);
    summary->setObjectName("serving_summary");
    summary->setWordWrap(true);
    const QString pools =
        s.prefill_replicas > 0
            ? QString("disaggregated: %1 prefill + %2 decode replicas").arg(s.prefill_replicas).arg(s.decode_replicas)
            : QString("%1 replica(s)").arg(m.replicas);
    QString text = QString("<b>%1: serving</b> %2 requests (%3) on %4 GPUs, %5, %6 load balancing. SLO: TTFT \u2264 "
                           "%7, TPOT \u2264 %8; %9 of requests met it; goodput %10 requests/s of %11.")
                       .arg(r.label.toHtmlEscaped())
                       .arg(m.requests)
                       .arg(QString::fromStdString(s.requests).toHtmlEscaped())
                       .arg(m.gpus)
                       .arg(pools, QString::fromStdString(s.load_balancer), ms(s.slo_ttft_s), ms(s.slo_tpot_s),
                            QString::fromStdString(format_metric(m.slo_attainment, "fraction")))
                       .arg(m.goodput_requests_per_s, 0, 'f', 2)
                       .arg(m.requests_per_s, 0, 'f', 2);
    if (s.capacity) {
        text += s.capacity->met
                    ? QString(" Capacity search: %1 replicas (%2 GPUs) meet the SLO target.")
                          .arg(s.capacity->replicas)
                          .arg(s.capacity->gpus)
                    : QString(" Capacity search: not met within %1 replicas.").arg(s.capacity->max_replicas);
    }
    summary->setText(text);
    l->addWidget(summary);
    l->addWidget(titled(percentile_table(m, left), "Latency percentiles", left));
    auto* model = new MetricTableModel(left);
    std::vector<Metric> all;
    section_metrics(r.report, all);
    model->set_single(group_metrics(all, "Serving"));
    l->addWidget(titled(table_for(model, left, false), "Serving figures", left), 1);
    split->addWidget(left);

    auto* charts = new QSplitter(Qt::Vertical, split);
    const auto& ser = s.series;
    charts->addWidget(series_chart(ser, "KV-cache occupancy (mean over replicas)", "occupancy (%)",
                                   {{"KV-cache occupancy", &ser.kv_occupancy, 100.0}}));
    charts->addWidget(series_chart(ser, "Requests over time", "requests",
                                   {{"running per replica", &ser.running, 1.0}, {"waiting (all)", &ser.waiting, 1.0}}));
    const bool none = std::all_of(ser.preemptions.begin(), ser.preemptions.end(), [](double v) { return v == 0.0; });
    charts->addWidget(series_chart(ser, none ? "Preemptions per bin (none in this run)" : "Preemptions per bin",
                                   "preemptions", {{"preemptions", &ser.preemptions, 1.0}}));
    split->addWidget(charts);
    split->setSizes({600, 800});
    return split;
}

} // namespace twin::gui
