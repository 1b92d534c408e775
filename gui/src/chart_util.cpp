// Bar charts shared by the views (views.hpp).
#include "twin/gui/views.hpp"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace twin::gui {

QChartView* bar_chart(const QString& title, const QStringList& categories, const std::vector<BarSet>& sets,
                      const QString& value_axis, bool horizontal, bool stacked) {
    QAbstractBarSeries* series = nullptr;
    if (horizontal) {
        series = stacked ? static_cast<QAbstractBarSeries*>(new QHorizontalStackedBarSeries)
                         : static_cast<QAbstractBarSeries*>(new QHorizontalBarSeries);
    } else {
        series = stacked ? static_cast<QAbstractBarSeries*>(new QStackedBarSeries)
                         : static_cast<QAbstractBarSeries*>(new QBarSeries);
    }
    double top = 0.0;
    std::vector<double> sums(static_cast<std::size_t>(categories.size()), 0.0);
    for (const auto& s : sets) {
        auto* set = new QBarSet(s.name);
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            *set << s.values[i];
            if (i < sums.size()) {
                sums[i] += s.values[i];
            }
            top = std::max(top, s.values[i]);
        }
        series->append(set);
    }
    if (stacked) {
        top = sums.empty() ? 0.0 : *std::max_element(sums.begin(), sums.end());
    }
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->addSeries(series);
    chart->legend()->setVisible(true);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto* cat = new QBarCategoryAxis;
    cat->append(categories);
    auto* val = new QValueAxis;
    val->setTitleText(value_axis);
    val->setRange(0.0, top > 0 ? top * 1.08 : 1.0);
    nice_axis(val);
    chart->addAxis(cat, horizontal ? Qt::AlignLeft : Qt::AlignBottom);
    chart->addAxis(val, horizontal ? Qt::AlignBottom : Qt::AlignLeft);
    series->attachAxis(cat);
    series->attachAxis(val);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(view->fontMetrics().height() * 13);
    return view;
}

void nice_axis(QValueAxis* axis) {
    axis->applyNiceNumbers();
    const double span = axis->max() - axis->min();
    axis->setLabelFormat(span >= 10 ? "%.0f" : span >= 1 ? "%.1f" : "%.3f");
}

void time_axis(QValueAxis* axis, double end) {
    const double span = end > 0 ? end : 1.0;
    // Ticks every 1, 2 or 5 × 10^k, at most 8 of them, on the exact range (the data ends at the axis).
    const double raw = span / 8.0;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    double step = decade;
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * decade;
        if (step >= raw) {
            break;
        }
    }
    axis->setRange(0, span);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(step >= 1 ? "%.0f" : step >= 0.1 ? "%.1f" : "%.3f");
}

QWidget* empty_note(const QString& text) {
    auto* l = new QLabel(text);
    l->setAlignment(Qt::AlignCenter);
    l->setWordWrap(true);
    return l;
}

} // namespace twin::gui
