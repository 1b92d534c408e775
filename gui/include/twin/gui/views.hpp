// The views of a result, each a plain QWidget built from a LoadedResult (no simulation state):
// workload, bottlenecks, power and cooling, timeline, and the comparison of two results.
// Tables use the models of table_models.hpp; charts are Qt Charts with a legend and axis titles
// that carry their units.
#pragma once

#include "twin/gui/result.hpp"

#include <QString>
#include <QWidget>
#include <vector>

class QAbstractItemModel;
class QChartView;
class QTableView;
class QValueAxis;

namespace twin::gui {

[[nodiscard]] QWidget* make_workload_view(const LoadedResult& r, QWidget* parent = nullptr);
[[nodiscard]] QWidget* make_bottleneck_view(const LoadedResult& r, QWidget* parent = nullptr);
[[nodiscard]] QWidget* make_power_view(const LoadedResult& r, QWidget* parent = nullptr);
[[nodiscard]] QWidget* make_timeline_view(const LoadedResult& r, QWidget* parent = nullptr);
[[nodiscard]] QWidget* make_compare_view(const LoadedResult& a, const LoadedResult& b, QWidget* parent = nullptr);

// Helpers shared by the views (chart_util.cpp).
struct BarSet {
    QString name;
    std::vector<double> values;
};
// A bar chart (horizontal: categories down the side), stacked or grouped, with a legend.
[[nodiscard]] QChartView* bar_chart(const QString& title, const QStringList& categories,
                                    const std::vector<BarSet>& sets, const QString& value_axis, bool horizontal,
                                    bool stacked);
// A table over `model` (sortable: through a proxy sorting by Qt::UserRole).
[[nodiscard]] QTableView* table_for(QAbstractItemModel* model, QWidget* owner, bool sortable);
// `body` under a bold title.
[[nodiscard]] QWidget* titled(QWidget* body, const QString& title, QWidget* owner);
// Nice round ticks on a value axis and labels without exponents ("150000", "0.25").
void nice_axis(QValueAxis* axis);
// A time axis from 0 to `end` exactly (the data fills it), with round tick steps.
void time_axis(QValueAxis* axis, double end);
// A small "no data" label in place of a chart.
[[nodiscard]] QWidget* empty_note(const QString& text);

} // namespace twin::gui
