// Bring-up schedule: when each hall is ready, what holds it up, and which parts to pre-stage.
//
// Every part is ordered on day 0 and arrives on day lead(category). One site team works the halls
// in order (hall 0 first), each hall in two phases:
//   racks:   start_h = max(end of the previous hall's rack phase, arrival of every rack-phase part
//            category the hall needs: rack, server, NVSwitch, NIC, switch, PDU, cooling)
//            days    = racks_h / racks_per_day
//   cabling: start_h = max(end of this hall's rack phase, end of the previous hall's cabling,
//            arrival of cable and transceiver)
//            days    = cables_h / (cables_per_crew_day x crews)
//   ready_h  = cabling end + commissioning_days
// Phase lengths are rounded up to whole days. The critical path is walked back from the last hall:
// each phase start names what bound it (a part's arrival or the previous phase). Pre-stage: every
// part category whose arrival bound a phase start (order it earlier or stage it on site before the
// crews arrive), with the quantity hall 0 needs.
// Input file: {"schema_version": 1, "start_date": "2027-01-04",
//   "lead_times_days": {"<BOM category>": days, ...}, (every category in the BOM but GPU)
//   "install": {"racks_per_day": 20, "cables_per_crew_day": 150, "crews": 10, "commissioning_days": 7}}
// A BOM category without a lead time is an InputError at /lead_times_days/<category>.
#pragma once

#include "twin/buildout/bom.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace twin::buildout {

struct ScheduleInput {
    std::string file;
    int start_year = 2027, start_month = 1, start_day = 1;
    std::map<std::string, double> lead_days;
    double racks_per_day = 20.0, cables_per_crew_day = 150.0, crews = 10.0, commissioning_days = 7.0;
};

[[nodiscard]] ScheduleInput load_schedule_input(const std::filesystem::path& path);
[[nodiscard]] ScheduleInput parse_schedule_input(std::string_view text, const std::string& file_name);

struct HallSchedule {
    int hall = 0;
    std::int64_t racks = 0, cables = 0;
    double rack_start = 0, rack_end = 0, cable_start = 0, cable_end = 0, ready = 0; // days from start
    std::string rack_bound, cable_bound; // what bound each start ("arrival of switch", "previous hall", ...)
};

struct Schedule {
    std::vector<HallSchedule> halls;
    std::vector<std::string> critical_path;       // from day 0 to the last hall ready
    std::map<std::string, std::int64_t> prestage; // category -> hall 0's quantity
};

[[nodiscard]] Schedule make_schedule(const Bom& bom, const Layout& layout, const ScheduleInput& in);
[[nodiscard]] std::string format_schedule(const Schedule& s, const ScheduleInput& in);
// "2027-03-14": the start date plus `days` (rounded up).
[[nodiscard]] std::string date_after(const ScheduleInput& in, double days);

} // namespace twin::buildout
