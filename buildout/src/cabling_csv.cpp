// Writing the cabling plan as CSV, streamed (columns: buildout/README.md, "Cabling plan").
#include "twin/buildout/cabling.hpp"

#include <fmt/format.h>

namespace twin::buildout {
namespace {

char tier_letter(topology::LinkTier t) {
    switch (t) {
    case topology::LinkTier::Access:
        return 'A';
    case topology::LinkTier::Aggregation:
        return 'S';
    case topology::LinkTier::Core:
        return 'C';
    default:
        return 'X';
    }
}

} // namespace

CablingResult write_cabling_csv(const topology::Cluster& c, const Layout& layout, std::ostream& out) {
    CablingResult r;
    r.ends_per_rack.assign(layout.racks.size(), 0);
    PortChecker checker(c);
    fmt::memory_buffer buf;
    fmt::format_to(std::back_inserter(buf),
                   "label,tier,gbps,cable,rule,length_m,length_class_m,a_hall,a_row,a_rack,a_device,a_port,"
                   "b_hall,b_row,b_rack,b_device,b_port\n");
    const auto& rules = layout.plan.rules.rules;
    walk_plan(c, layout, [&](const PlanRow& row) {
        checker.add(row);
        ++r.ends_per_rack[static_cast<std::size_t>(row.a.rack)];
        ++r.ends_per_rack[static_cast<std::size_t>(row.b.rack)];
        const auto& ra = layout.racks[static_cast<std::size_t>(row.a.rack)];
        const auto& rb = layout.racks[static_cast<std::size_t>(row.b.rack)];
        const auto& rule = rules[static_cast<std::size_t>(row.rule)];
        fmt::format_to(std::back_inserter(buf), "{}{:07},{},{},{},{},{:.2f},{},{},{},{},{},{},{},{},{},{},{}\n",
                       tier_letter(row.tier), row.link, topology::link_tier_name(row.tier), row.gbps,
                       cable_kind_name(rule.kind), rule.name, row.length_m, row.length_class_m, ra.hall, ra.row,
                       ra.name, end_device(c, row.a), end_port(c, row.a), rb.hall, rb.row, rb.name,
                       end_device(c, row.b), end_port(c, row.b));
        if (buf.size() > (1u << 20)) {
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
        }
    });
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    r.check = checker.finish();
    return r;
}

} // namespace twin::buildout
