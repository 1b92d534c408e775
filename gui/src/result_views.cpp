// The workload and bottleneck views (views.hpp).
#include "twin/gui/table_models.hpp"
#include "twin/gui/views.hpp"

#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace twin::gui {

QTableView* table_for(QAbstractItemModel* model, QWidget* owner, bool sortable) {
    auto* view = new QTableView(owner);
    if (sortable) {
        auto* proxy = new QSortFilterProxyModel(owner);
        proxy->setSourceModel(model);
        proxy->setSortRole(Qt::UserRole);
        view->setModel(proxy);
        view->setSortingEnabled(true);
        view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the model's order until a click
        proxy->sort(-1);
    } else {
        view->setModel(model);
    }
    view->verticalHeader()->hide();
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->resizeColumnsToContents();
    view->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch); // the name column takes the rest
    return view;
}

QWidget* titled(QWidget* body, const QString& title, QWidget* owner) {
    auto* w = new QWidget(owner);
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    auto* t = new QLabel("<b>" + title.toHtmlEscaped() + "</b>", w);
    l->addWidget(t);
    l->addWidget(body, 1);
    return w;
}

QWidget* make_workload_view(const LoadedResult& r, QWidget* parent) {
    auto* split = new QSplitter(Qt::Horizontal, parent);
    split->setObjectName("workload_view");
    const auto all = result_metrics(r.report);
    auto metrics = group_metrics(all, "Run");
    const auto work = group_metrics(all, "Workload");
    metrics.insert(metrics.end(), work.begin(), work.end());
    auto* model = new MetricTableModel(split);
    model->set_single(metrics);
    auto* table = table_for(model, split, false);
    split->addWidget(titled(table, r.label + ": workload", split));

    auto* charts = new QSplitter(Qt::Vertical, split);
    const auto& rep = r.report;
    charts->addWidget(bar_chart("GPU time share (mean over GPUs)", {"GPU"},
                                {{"compute", {rep.compute_fraction.mean * 100}},
                                 {"communication", {rep.communication_fraction.mean * 100}},
                                 {"idle", {rep.idle_fraction.mean * 100}}},
                                "% of the simulated time", true, true));
    if (rep.workload && !rep.workload->exposed_communication_per_gpu_s.empty()) {
        QStringList roles;
        std::vector<double> ms;
        for (const auto& [role, s] : rep.workload->exposed_communication_per_gpu_s) {
            roles << QString::fromStdString(role);
            ms.push_back(s * 1e3);
        }
        charts->addWidget(bar_chart("Exposed communication per GPU by parallelism role", roles,
                                    {{"exposed per step", ms}}, "ms per step", true, false));
    } else {
        charts->addWidget(empty_note("No generated workload: exposed communication by role is reported for "
                                     "llm-training and llm-inference workloads."));
    }
    split->addWidget(charts);
    split->setSizes({600, 800}); // proportions: QSplitter scales them to its width
    return split;
}

QWidget* make_bottleneck_view(const LoadedResult& r, QWidget* parent) {
    auto* split = new QSplitter(Qt::Vertical, parent);
    split->setObjectName("bottleneck_view");
    const auto& rep = r.report;
    // The bound attribution per phase: the longest phases (the report lists them longest first),
    // each split by what held it up.
    std::vector<const report::PhaseReport*> phases;
    for (const auto& p : rep.phases) {
        if (phases.size() < 8) {
            phases.push_back(&p);
        }
    }
    QStringList names;
    for (auto it = phases.rbegin(); it != phases.rend(); ++it) { // longest at the top
        names << QString::fromStdString((*it)->name);
    }
    std::vector<BarSet> sets;
    for (const auto& key : report::kBoundKeys) {
        BarSet s{QString::fromUtf8(key.data(), static_cast<int>(key.size())), {}};
        bool any = false;
        for (auto it = phases.rbegin(); it != phases.rend(); ++it) {
            const auto b = (*it)->time_per_rank_by_bound_s.find(std::string(key));
            const double ms = b == (*it)->time_per_rank_by_bound_s.end() ? 0.0 : b->second * 1e3;
            any = any || ms > 0;
            s.values.push_back(ms);
        }
        if (any) {
            sets.push_back(std::move(s));
        }
    }
    const QString title = QString("%1: time per rank by bound, longest phases (bound by %2)")
                              .arg(r.label, QString::fromStdString(rep.bound_by));
    if (names.isEmpty()) {
        split->addWidget(empty_note("No phases in this result."));
    } else {
        split->addWidget(bar_chart(title, names, sets, "ms per rank", true, true));
    }
    auto* model = new BottleneckModel(split);
    model->set_rows(bottleneck_rows(rep));
    auto* table = table_for(model, split, true);
    table->setObjectName("bottleneck_table");
    table->sortByColumn(BottleneckModel::MaxUtil, Qt::DescendingOrder);
    split->addWidget(titled(table, "Link tiers, pods and busiest links (click a header to sort)", split));
    split->setSizes({500, 360});
    return split;
}

} // namespace twin::gui
