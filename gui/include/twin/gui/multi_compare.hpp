// Two or more results compared against a baseline (the first): one row per figure, one column per
// result, and for every result after the first its delta against the baseline with the verdict of
// metrics.hpp (improved / worsened / changed / same), improved cells green and worsened red, the
// verdict also spelled out in the cell so the marks do not rest on colour alone.
#pragma once

#include "twin/gui/metrics.hpp"
#include "twin/gui/result.hpp"

#include <QAbstractTableModel>
#include <QStringList>
#include <vector>

namespace twin::gui {

struct MultiRow {
    std::string group, name, unit;
    std::vector<MetricDelta> against_base; // one per result: [0] the baseline alone, [i] baseline vs result i
};

// Figures of the baseline in its order, then those only later results have (in their order).
[[nodiscard]] std::vector<MultiRow> compare_many(const std::vector<std::vector<Metric>>& results);

// Columns: group, figure, then per result its value; results after the first add "Δ vs baseline"
// ("+12.3 % improved"). Qt::UserRole: the number (relative delta for delta columns), for sorting.
class MultiCompareModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit MultiCompareModel(QObject* parent = nullptr);
    void set_rows(std::vector<MultiRow> rows, QStringList labels);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
    // The column of result i's value (i >= 0) and of its delta (i >= 1).
    [[nodiscard]] static int value_column(int i) { return i == 0 ? 2 : 1 + 2 * i; }
    [[nodiscard]] static int delta_column(int i) { return 2 + 2 * i; }

private:
    std::vector<MultiRow> rows_;
    QStringList labels_;
};

// The view: a summary line (improved / worsened counts per result) and the table.
[[nodiscard]] QWidget* make_multi_compare_view(const std::vector<const LoadedResult*>& results,
                                               QWidget* parent = nullptr);

} // namespace twin::gui
