// The "Build-out" tab: the report's "bom" section (report/bom_report.hpp) as one table of what to
// order (GPUs, servers, racks, switches per tier, NICs, transceivers, cables by type with their
// lengths, cooling), the optics power, the capex when the run had a price table and the plan's port
// check. A report without the section (written before it existed, or not by `clustertwin run`)
// shows a note instead.
#pragma once

#include "twin/gui/result.hpp"

#include <QList>
#include <QString>
#include <QStringList>

class QTabWidget;
class QWidget;

namespace twin::gui {

// The rows of the table: section, item, count or value, detail (the model behind the view).
[[nodiscard]] QList<QStringList> bom_rows(const report::BomReport& b);

[[nodiscard]] QWidget* make_bom_view(const LoadedResult& r, QWidget* parent = nullptr);

// Puts the view of `r` in the tab "Build-out" of `tabs` (after the last tab the first time, in
// place afterwards).
void show_bom_tab(QTabWidget* tabs, const LoadedResult& r);

} // namespace twin::gui
