// The campaign and serving figures as metrics (section_views.hpp), for their tabs and for compare.
// Estimates (Monte Carlo means) give their mean; the views show the 95 % confidence interval too.
#include "twin/gui/section_views.hpp"

#include <QTabWidget>

namespace twin::gui {

namespace {

void add(std::vector<Metric>& out, const char* group, std::string name, std::string unit, double v, Better b) {
    out.push_back({group, std::move(name), std::move(unit), v, {}, b});
}

} // namespace

void section_metrics(const report::RunReport& r, std::vector<Metric>& out) {
    if (const auto& c = r.campaign) {
        const char* g = "Campaign";
        add(out, g, "interruptions", "", c->interruptions.mean, Better::Lower);
        add(out, g, "MTBI (hours)", "", c->mtbi_s / 3600.0, Better::Higher);
        add(out, g, "goodput", "fraction", c->goodput.mean, Better::Higher);
        add(out, g, "goodput (closed form)", "fraction", c->goodput_closed_form, Better::Higher);
        if (c->days_for_tokens) {
            add(out, g, "days to train", "days", c->days_for_tokens->mean, Better::Lower);
        }
        add(out, g, "checkpoint interval", "s", c->checkpoint_interval_s, Better::Neither);
        add(out, g, "checkpoint write", "s", c->checkpoint_time_s, Better::Lower);
        add(out, g, "lost to recompute", "s", c->lost_recompute_s.mean, Better::Lower);
        add(out, g, "lost to restarts", "s", c->lost_restart_s.mean, Better::Lower);
        add(out, g, "lost waiting for repair", "s", c->lost_waiting_s.mean, Better::Lower);
        add(out, g, "checkpoint overhead", "s", c->checkpoint_overhead_s.mean, Better::Lower);
        add(out, g, "lost to slow GPUs", "s", c->degraded_loss_s.mean, Better::Lower);
        add(out, g, "campaign energy", "J", c->energy_j.mean, Better::Lower);
    }
    if (const auto& s = r.serving) {
        const char* g = "Serving";
        const auto& m = s->summary;
        add(out, g, "TTFT p50", "s", m.ttft_s.p50, Better::Lower);
        add(out, g, "TTFT p99", "s", m.ttft_s.p99, Better::Lower);
        add(out, g, "TPOT p50", "s", m.tpot_s.p50, Better::Lower);
        add(out, g, "TPOT p99", "s", m.tpot_s.p99, Better::Lower);
        add(out, g, "E2E p50", "s", m.e2e_s.p50, Better::Lower);
        add(out, g, "E2E p99", "s", m.e2e_s.p99, Better::Lower);
        add(out, g, "goodput under SLO (requests/s)", "", m.goodput_requests_per_s, Better::Higher);
        add(out, g, "SLO attainment", "fraction", m.slo_attainment, Better::Higher);
        add(out, g, "requests/s", "", m.requests_per_s, Better::Higher);
        add(out, g, "output tokens/s", "tokens/s", m.output_tokens_per_s, Better::Higher);
        add(out, g, "preemptions", "", static_cast<double>(m.preemptions), Better::Lower);
        add(out, g, "peak KV-cache occupancy", "fraction", m.peak_kv_occupancy, Better::Neither);
        add(out, g, "energy per output token", "J", m.energy_per_output_token_j, Better::Lower);
        if (s->capacity) {
            add(out, g, "GPUs to meet the SLO", "", s->capacity->gpus, Better::Lower);
        }
    }
}

void show_section_tabs(QTabWidget* tabs, const LoadedResult& r) {
    const auto place = [tabs](QWidget* w, const QString& name, const QString& title) {
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->widget(i)->objectName() == name) {
                QWidget* old = tabs->widget(i);
                const int current = tabs->currentIndex();
                tabs->removeTab(i);
                if (w != nullptr) {
                    tabs->insertTab(i, w, title);
                }
                tabs->setCurrentIndex(std::min(current, tabs->count() - 1));
                delete old;
                return;
            }
        }
        if (w != nullptr) {
            tabs->addTab(w, title);
        }
    };
    place(make_campaign_view(r), "campaign_view", "C&ampaign");
    place(make_serving_view(r), "serving_view", "Ser&ving");
}

} // namespace twin::gui
