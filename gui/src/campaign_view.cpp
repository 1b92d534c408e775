// The campaign view (section_views.hpp): a training campaign's interruptions by cause, goodput,
// MTBI and days to train with their 95 % confidence intervals (report.json "campaign",
// models/campaign.hpp), and the what-if sweeps over the checkpoint interval and the spare nodes.
#include "twin/gui/section_views.hpp"
#include "twin/gui/views.hpp"

#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>

namespace twin::gui {

namespace {

QString fmt(double v, const std::string& unit) {
    return QString::fromStdString(format_metric(v, unit));
}

QString ci(const models::Estimate& e, const std::string& unit) {
    return fmt(e.ci_low, unit) + " \u2013 " + fmt(e.ci_high, unit);
}

QTableWidget* table(const QStringList& header, const std::vector<QStringList>& rows, QWidget* owner,
                    const QString& name) {
    auto* t = new QTableWidget(static_cast<int>(rows.size()), static_cast<int>(header.size()), owner);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(header);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (int c = 0; c < rows[i].size(); ++c) {
            auto* item = new QTableWidgetItem(rows[i][c]);
            if (c > 0) {
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            }
            t->setItem(static_cast<int>(i), c, item);
        }
    }
    t->resizeColumnsToContents();
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

// Goodput against the checkpoint interval at the campaign's spare count: Monte Carlo mean and its
// 95 % interval, and the closed form.
QWidget* interval_chart(const models::CampaignResult& c) {
    std::vector<const models::WhatIfPoint*> pts;
    for (const auto& w : c.what_if) {
        if (w.spare_nodes == c.spare_nodes && std::none_of(pts.begin(), pts.end(), [&](const auto* p) {
                return p->checkpoint_interval_s == w.checkpoint_interval_s;
            })) {
            pts.push_back(&w);
        }
    }
    if (pts.size() < 2) {
        return empty_note("No checkpoint-interval what-if in this campaign.");
    }
    std::sort(pts.begin(), pts.end(),
              [](const auto* a, const auto* b) { return a->checkpoint_interval_s < b->checkpoint_interval_s; });
    auto* chart = new QChart;
    chart->setTitle(QString("What if: goodput vs checkpoint interval (%1 spare nodes; chosen %2)")
                        .arg(c.spare_nodes)
                        .arg(fmt(c.checkpoint_interval_s, "s")));
    auto *mean = new QLineSeries, *lo = new QLineSeries, *hi = new QLineSeries, *closed = new QLineSeries;
    mean->setName("Monte Carlo mean");
    lo->setName("95 % CI low");
    hi->setName("95 % CI high");
    closed->setName("closed form");
    mean->setPen(QPen(QColor(31, 119, 180), 2));
    closed->setPen(QPen(QColor(255, 127, 14), 2));
    for (auto* s : {lo, hi}) {
        s->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    }
    double ymin = 1.0, ymax = 0.0, xmax = 0.0;
    for (const auto* p : pts) {
        const double x = p->checkpoint_interval_s;
        mean->append(x, 100 * p->goodput.mean);
        lo->append(x, 100 * p->goodput.ci_low);
        hi->append(x, 100 * p->goodput.ci_high);
        closed->append(x, 100 * p->goodput_closed_form);
        ymin = std::min({ymin, p->goodput.ci_low, p->goodput_closed_form});
        ymax = std::max({ymax, p->goodput.ci_high, p->goodput_closed_form});
        xmax = std::max(xmax, x);
    }
    auto* x = new QValueAxis;
    x->setTitleText("checkpoint interval (s)");
    time_axis(x, xmax); // 0 to the longest interval, round ticks
    auto* y = new QValueAxis;
    y->setTitleText("goodput (%)");
    const double pad = std::max(0.005, (ymax - ymin) * 0.1);
    y->setRange(100 * std::max(0.0, ymin - pad), 100 * std::min(1.0, ymax + pad));
    nice_axis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* s : {mean, lo, hi, closed}) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    return view;
}

// Goodput against the spare nodes at the chosen interval.
QWidget* spares_chart(const models::CampaignResult& c) {
    std::map<int, double> by_spares; // ascending spare count
    for (const auto& w : c.what_if) {
        if (std::abs(w.checkpoint_interval_s - c.checkpoint_interval_s) <= 1e-9 * c.checkpoint_interval_s) {
            by_spares.emplace(w.spare_nodes, w.goodput.mean);
        }
    }
    QStringList names;
    BarSet mean{"goodput, Monte Carlo mean (%)", {}};
    for (const auto& [spares, goodput] : by_spares) {
        names << QString::number(spares);
        mean.values.push_back(100 * goodput);
    }
    if (names.size() < 2) {
        return empty_note("No spare-node what-if in this campaign.");
    }
    return bar_chart("What if: goodput vs spare nodes (at the chosen interval)", names, {mean}, "goodput (%)", false,
                     false);
}

} // namespace

QWidget* make_campaign_view(const LoadedResult& r, QWidget* parent) {
    if (!r.report.campaign) {
        return nullptr;
    }
    const auto& c = *r.report.campaign;
    auto* split = new QSplitter(Qt::Horizontal, parent);
    split->setObjectName("campaign_view");
    auto* left = new QWidget(split);
    auto* l = new QVBoxLayout(left);
    auto* summary = new QLabel(left);
    summary->setObjectName("campaign_summary");
    summary->setWordWrap(true);
    summary->setText(
        QString("<b>%1: campaign</b> of %2 days, %3 trials. Interruption rate %4 /h (MTBI %5 h); goodput %6 "
                "(95 % CI %7)%8. Checkpoint every %9 (Young %10, Daly %11), write %12; restart %13; %14 spare "
                "nodes%15.")
            .arg(r.label.toHtmlEscaped())
            .arg(c.duration_s / 86400.0, 0, 'f', 1)
            .arg(c.trials)
            .arg(c.interruption_rate_per_hour, 0, 'f', 3)
            .arg(c.mtbi_s / 3600.0, 0, 'f', 2)
            .arg(fmt(c.goodput.mean, "fraction"), ci(c.goodput, "fraction"),
                 c.days_for_tokens ? QString("; %1 days to train (95 % CI %2)")
                                         .arg(c.days_for_tokens->mean, 0, 'f', 1)
                                         .arg(ci(*c.days_for_tokens, "days"))
                                   : QString(),
                 fmt(c.checkpoint_interval_s, "s"), fmt(c.young_interval_s, "s"), fmt(c.daly_interval_s, "s"),
                 fmt(c.checkpoint_time_s, "s"), fmt(c.restart_s, "s"))
            .arg(c.spare_nodes)
            .arg(c.elastic ? ", elastic restarts" : ""));
    l->addWidget(summary);
    std::vector<QStringList> est{
        {"interruptions", fmt(c.interruptions.mean, ""), ci(c.interruptions, "")},
        {"MTBI observed", fmt(c.mtbi_observed_s.mean, "s"), ci(c.mtbi_observed_s, "s")},
        {"goodput", fmt(c.goodput.mean, "fraction"), ci(c.goodput, "fraction")},
    };
    if (c.days_for_tokens) {
        est.push_back({"days to train", fmt(c.days_for_tokens->mean, "days"), ci(*c.days_for_tokens, "days")});
    }
    for (const auto& [name, e, unit] :
         {std::tuple{"lost to recompute", &c.lost_recompute_s, "s"},
          std::tuple{"lost to restarts", &c.lost_restart_s, "s"},
          std::tuple{"lost waiting for repair", &c.lost_waiting_s, "s"},
          std::tuple{"checkpoint overhead", &c.checkpoint_overhead_s, "s"},
          std::tuple{"lost to slow GPUs", &c.degraded_loss_s, "s"}, std::tuple{"facility energy", &c.energy_j, "J"}}) {
        est.push_back({name, fmt(e->mean, unit), ci(*e, unit)});
    }
    l->addWidget(titled(table({"Figure", "Mean", "95 % CI"}, est, left, "campaign_estimates"),
                        "Estimates over the trials", left),
                 1);
    std::vector<QStringList> causes;
    QStringList cats;
    BarSet events{"interruptions per campaign (mean)", {}}, degr{"degradations per campaign (mean)", {}};
    bool any_degradation = false;
    for (const auto& k : c.causes) {
        causes.push_back({QString::fromStdString(k.cls), QString::fromStdString(k.effect),
                          QString("%1 %2").arg(k.components, 0, 'f', 0).arg(QString::fromStdString(k.component)),
                          QString::number(k.expected_per_day, 'f', 3), fmt(k.events.mean, ""), ci(k.events, "")});
        cats << QString::fromStdString(k.cls);
        const bool interrupts = k.effect == "interruption";
        events.values.push_back(interrupts ? k.events.mean : 0.0);
        degr.values.push_back(interrupts ? 0.0 : k.events.mean);
        any_degradation = any_degradation || (!interrupts && k.events.mean > 0);
    }
    l->addWidget(titled(table({"Cause", "Effect", "Components", "Expected / day", "Events", "95 % CI"}, causes, left,
                              "campaign_causes"),
                        "Failures by cause", left),
                 1);
    split->addWidget(left);
    auto* charts = new QSplitter(Qt::Vertical, split);
    std::vector<BarSet> sets{events};
    if (any_degradation) {
        sets.push_back(degr);
    }
    charts->addWidget(bar_chart("Failures by cause over the campaign", cats, sets, "events", false, true));
    charts->addWidget(interval_chart(c));
    charts->addWidget(spares_chart(c));
    split->addWidget(charts);
    split->setSizes({540, 860});
    return split;
}

} // namespace twin::gui
