// The compare view (views.hpp): every figure of A and B with its delta, improved rows green and
// worsened ones red (and named in the verdict column), and a chart of the largest relative moves.
#include "twin/gui/table_models.hpp"
#include "twin/gui/views.hpp"

#include <QAbstractBarSeries>
#include <QBarSet>
#include <QChartView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace twin::gui {

namespace {

QWidget* largest_moves(const std::vector<MetricDelta>& rows) {
    std::vector<const MetricDelta*> moved;
    for (const auto& d : rows) {
        if ((d.verdict == Verdict::Improved || d.verdict == Verdict::Worsened) && d.relative != 0.0) {
            moved.push_back(&d);
        }
    }
    if (moved.empty()) {
        return empty_note("No figure with a better direction moved between A and B.");
    }
    std::stable_sort(moved.begin(), moved.end(), [](const MetricDelta* x, const MetricDelta* y) {
        return std::abs(x->relative) > std::abs(y->relative);
    });
    moved.resize(std::min<std::size_t>(moved.size(), 10));
    QStringList names;
    BarSet better{"improved (\u0394 %)", {}}, worse{"worsened (\u0394 %)", {}};
    for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
        names << QString::fromStdString((*it)->name);
        const double pct = std::clamp((*it)->relative * 100.0, -1000.0, 1000.0);
        better.values.push_back((*it)->verdict == Verdict::Improved ? pct : 0.0);
        worse.values.push_back((*it)->verdict == Verdict::Worsened ? pct : 0.0);
    }
    auto* view = bar_chart("Largest relative changes, B against A", names, {better, worse}, "% change", true, true);
    auto* series = view->chart()->series().value(0);
    if (auto* bars = qobject_cast<QAbstractBarSeries*>(series); bars != nullptr && bars->count() == 2) {
        bars->barSets()[0]->setColor(QColor(60, 160, 80));
        bars->barSets()[1]->setColor(QColor(210, 60, 60));
    }
    // Negative changes need the axis below zero.
    double lo = 0.0, hi = 0.0;
    for (const auto* d : moved) {
        lo = std::min(lo, std::clamp(d->relative * 100.0, -1000.0, 1000.0));
        hi = std::max(hi, std::clamp(d->relative * 100.0, -1000.0, 1000.0));
    }
    for (auto* axis : view->chart()->axes(Qt::Horizontal)) {
        if (auto* v = qobject_cast<QValueAxis*>(axis)) {
            v->setRange(lo * 1.1, hi * 1.1 + (hi == 0 ? 1 : 0));
            nice_axis(v);
        }
    }
    return view;
}

} // namespace

QWidget* make_compare_view(const LoadedResult& a, const LoadedResult& b, QWidget* parent) {
    auto* w = new QWidget(parent);
    w->setObjectName("compare_view");
    auto* layout = new QVBoxLayout(w);
    const auto rows = compare_metrics(result_metrics(a.report), result_metrics(b.report));
    const auto count = [&](Verdict v) {
        return std::count_if(rows.begin(), rows.end(), [v](auto& d) { return d.verdict == v; });
    };
    auto* head = new QLabel(QString("<b>A</b>: %1 &nbsp;&nbsp; <b>B</b>: %2 &nbsp;&nbsp; "
                                    "<span style='color:#2a7a3a'>%3 improved</span>, "
                                    "<span style='color:#b02020'>%4 worsened</span>, %5 changed")
                                .arg(a.label.toHtmlEscaped(), b.label.toHtmlEscaped())
                                .arg(count(Verdict::Improved))
                                .arg(count(Verdict::Worsened))
                                .arg(count(Verdict::Changed)),
                            w);
    head->setObjectName("compare_summary");
    layout->addWidget(head);
    auto* split = new QSplitter(Qt::Horizontal, w);
    auto* model = new MetricTableModel(split);
    model->set_compare(rows);
    auto* table = table_for(model, split, true);
    table->setObjectName("compare_table");
    split->addWidget(table);
    split->addWidget(largest_moves(rows));
    split->setSizes({820, 580});
    layout->addWidget(split, 1);
    return w;
}

} // namespace twin::gui
