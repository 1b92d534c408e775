// The build-out view (bom_view.hpp).
#include "twin/gui/bom_view.hpp"

#include "twin/gui/views.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

namespace twin::gui {
namespace {

const QString kTabTitle = "B&uild-out";
const char* const kViewName = "bom_view";

QString count(std::int64_t n) {
    return QString::number(n);
}

// "8.06 kW", "1.2 MW".
QString power(double w) {
    if (w >= 1e6) {
        return QString::number(w / 1e6, 'f', 2) + " MW";
    }
    return w >= 1e3 ? QString::number(w / 1e3, 'f', 2) + " kW" : QString::number(w, 'f', 0) + " W";
}

QString money(double v, const QString& currency) {
    return QString::number(v, 'f', v >= 100 ? 0 : 2) + " " + currency;
}

void add_items(QList<QStringList>& rows, const QString& section, const report::ItemCounts& items) {
    for (const auto& [item, n] : items) {
        rows.push_back({section, QString::fromStdString(item), count(n), ""});
    }
}

} // namespace

QList<QStringList> bom_rows(const report::BomReport& b) {
    QList<QStringList> rows;
    rows.push_back({"compute", "GPUs", count(b.gpus), ""});
    rows.push_back({"compute", "servers / compute trays", count(b.servers), ""});
    if (b.nvswitch_trays > 0) {
        rows.push_back({"compute", "NVSwitch trays", count(b.nvswitch_trays), ""});
    }
    rows.push_back({"racks", "compute racks", count(b.compute_racks), ""});
    rows.push_back({"racks", "network racks", count(b.network_racks), ""});
    rows.push_back({"racks", "halls", count(b.halls), ""});
    rows.push_back(
        {"racks", "PDUs and power shelves", count(b.pdus), "rack PDUs; busbar-fed racks (NVL72): their power shelves"});
    add_items(rows, "switches", b.switches);
    add_items(rows, "NICs", b.nics);
    add_items(rows, "transceivers", b.transceivers);
    for (const auto& [type, c] : b.cables) {
        rows.push_back({"cables", QString::fromStdString(type), count(c.count),
                        QString("%1 m routed, %2 m stock lengths")
                            .arg(std::round(c.length_m), 0, 'f', 0)
                            .arg(std::round(c.stock_length_m), 0, 'f', 0)});
    }
    add_items(rows, "cooling", b.cooling);
    rows.push_back({"power", "optics (plan)", power(b.optics_power_w), "transceivers and AOC ends"});
    rows.push_back(
        {"power", "catalog cable power", power(b.catalog_cable_power_w), "what the power model charges instead"});
    rows.push_back({"power", "nameplate IT power", power(b.it_power_max_w), "with the plan's optics"});
    if (b.capex) {
        const auto& c = *b.capex;
        const QString cur = QString::fromStdString(c.currency);
        const QString note = QString::fromStdString(c.prices) + (c.illustrative ? ": ILLUSTRATIVE prices" : "");
        rows.push_back({"cost", "capex total", money(c.total, cur), note});
        rows.push_back({"cost", "capex per GPU", money(c.per_gpu, cur), ""});
        rows.push_back({"cost", "energy per year", money(c.energy_per_year, cur), "typical IT power x PUE"});
        if (c.per_million_tokens) {
            rows.push_back({"cost", "per million tokens", money(*c.per_million_tokens, cur), "at the run's tokens/s"});
        }
    }
    rows.push_back({"check", "cabling plan port check", QString::fromStdString(b.port_check), ""});
    return rows;
}

QWidget* make_bom_view(const LoadedResult& r, QWidget* parent) {
    auto* w = new QWidget(parent);
    w->setObjectName(kViewName);
    auto* layout = new QVBoxLayout(w);
    if (!r.report.bom) {
        layout->addWidget(empty_note("No build-out in this result: `clustertwin run` writes the bill of "
                                     "materials (report.json \"bom\") from the scenario's floor plan; "
                                     "this report was written without it."),
                          1);
        return w;
    }
    const auto& b = *r.report.bom;
    auto* model = new QStandardItemModel(0, 4, w);
    model->setHorizontalHeaderLabels({"section", "item", "count / value", "detail"});
    for (const auto& row : bom_rows(b)) {
        QList<QStandardItem*> items;
        for (const auto& cell : row) {
            auto* item = new QStandardItem(cell);
            item->setEditable(false);
            items.push_back(item);
        }
        items[2]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        model->appendRow(items);
    }
    auto* table = table_for(model, w, false);
    table->setObjectName("bom_table");
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch); // the detail takes the rest
    auto* note = new QLabel("Layout: " + QString::fromStdString(b.layout), w);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);
    layout->addWidget(titled(table, r.label + ": build-out (bill of materials)", w), 1);
    layout->addWidget(note);
    return w;
}

void show_bom_tab(QTabWidget* tabs, const LoadedResult& r) {
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->widget(i)->objectName() == kViewName) {
            QWidget* old = tabs->widget(i);
            const int current = tabs->currentIndex();
            tabs->removeTab(i);
            tabs->insertTab(i, make_bom_view(r), kTabTitle);
            tabs->setCurrentIndex(current);
            delete old;
            return;
        }
    }
    tabs->addTab(make_bom_view(r), kTabTitle);
}

} // namespace twin::gui
