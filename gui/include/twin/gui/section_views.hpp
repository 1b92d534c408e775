// Views of the report's optional sections, one tab each, shown only for results that have the
// section: `campaign` (models/campaign.hpp: interruptions by cause, goodput, MTBI, days to train with
// their 95 % confidence intervals, and the checkpoint-interval / spare-node what-if) and `serving`
// (report/serving_report.hpp: TTFT/TPOT/E2E percentiles, goodput under the SLO, and the request
// simulation's series: KV-cache occupancy, running and waiting requests, preemptions over time).
// Their headline figures are also metrics (groups "Campaign" and "Serving", metrics.hpp), so the
// compare views show them with deltas.
#pragma once

#include "twin/gui/metrics.hpp"
#include "twin/gui/result.hpp"

#include <QString>
#include <QWidget>
#include <vector>

class QTabWidget;

namespace twin::gui {

// The campaign and serving figures of a report (none when it has neither section).
void section_metrics(const report::RunReport& r, std::vector<Metric>& out);

// nullptr when the result has no such section.
[[nodiscard]] QWidget* make_campaign_view(const LoadedResult& r, QWidget* parent = nullptr);
[[nodiscard]] QWidget* make_serving_view(const LoadedResult& r, QWidget* parent = nullptr);

// The section tabs of `r` in `tabs`: each view replaces the tab whose widget has the same object
// name ("campaign_view", "serving_view"), is appended when there is none, and a result without the
// section removes its tab. Tab indices before them do not move.
void show_section_tabs(QTabWidget* tabs, const LoadedResult& r);

} // namespace twin::gui
