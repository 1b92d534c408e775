// Bring-up schedule (rules and equations: include/twin/buildout/schedule.hpp).
#include "twin/buildout/schedule.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>

namespace twin::buildout {
namespace {

const char* const kRackPhase[] = {"rack", "server", "NVSwitch", "NIC", "switch", "PDU", "cooling"};
const char* const kCablePhase[] = {"cable", "transceiver"};

ScheduleInput from_document(const Document& doc) {
    ScheduleInput in;
    in.file = doc.file();
    Object root = doc.root().as_object();
    (void)root.at("schema_version").as_integer(1, 1);
    const Value date = root.at("start_date");
    const std::string d = date.as_string();
    int y = 0, m = 0, dd = 0;
    char tail = 0;
    if (std::sscanf(d.c_str(), "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 ||
        !std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                     std::chrono::day(static_cast<unsigned>(dd)))
             .ok()) {
        date.fail("expected a date \"YYYY-MM-DD\"");
    }
    in.start_year = y;
    in.start_month = m;
    in.start_day = dd;
    Object leads = root.at("lead_times_days").as_object();
    for (const auto& k : leads.keys()) {
        in.lead_days[k] = leads.at(k).as_number(Bound::NonNegative, 3650.0);
    }
    leads.finish();
    Object inst = root.at("install").as_object();
    in.racks_per_day = inst.at("racks_per_day").as_number(Bound::Positive, 1e6);
    in.cables_per_crew_day = inst.at("cables_per_crew_day").as_number(Bound::Positive, 1e7);
    in.crews = inst.at("crews").as_number(Bound::Positive, 1e5);
    if (auto c = inst.find("commissioning_days")) {
        in.commissioning_days = c->as_number(Bound::NonNegative, 3650.0);
    }
    inst.finish();
    root.finish();
    return in;
}

} // namespace

ScheduleInput load_schedule_input(const std::filesystem::path& path) {
    return from_document(Document::load(path));
}
ScheduleInput parse_schedule_input(std::string_view text, const std::string& file_name) {
    return from_document(Document::parse(text, file_name));
}

std::string date_after(const ScheduleInput& in, double days) {
    using namespace std::chrono;
    const sys_days start = year_month_day(year(in.start_year), month(static_cast<unsigned>(in.start_month)),
                                          day(static_cast<unsigned>(in.start_day)));
    const year_month_day d(start + std::chrono::days(static_cast<int>(std::ceil(days - 1e-9))));
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                       static_cast<unsigned>(d.day()));
}

Schedule make_schedule(const Bom& bom, const Layout& layout, const ScheduleInput& in) {
    for (const auto& [key, n] : bom.total) {
        if (key.first != "GPU" && !in.lead_days.count(key.first)) {
            throw InputError(in.file, "/lead_times_days/" + key.first,
                             fmt::format("no lead time for \"{}\" ({} items in the bill of materials)", key.first,
                                         bom.count(key.first)));
        }
    }
    // Per hall: racks, cables and which categories it needs.
    std::map<int, HallSchedule> halls;
    std::map<int, std::map<std::string, std::int64_t>> needs;
    for (std::size_t r = 0; r < layout.racks.size(); ++r) {
        HallSchedule& h = halls[layout.racks[r].hall];
        h.hall = layout.racks[r].hall;
        for (const auto& [id, n] : bom.per_rack[r]) {
            const auto& category = bom.items[static_cast<std::size_t>(id)].first;
            needs[h.hall][category] += n;
            h.racks += category == "rack" ? n : 0;
            h.cables += category == "cable" ? n : 0;
        }
    }
    Schedule s;
    double prev_rack_end = 0.0, prev_cable_end = 0.0;
    auto latest_arrival = [&](int hall, const auto& categories, double floor, std::string& bound) {
        double t = floor;
        for (const char* c : categories) {
            if (needs[hall].count(c) && in.lead_days.at(c) > t) {
                t = in.lead_days.at(c);
                bound = fmt::format("arrival of {} (day {})", c, t);
            }
        }
        return t;
    };
    for (auto& [hall, h] : halls) {
        h.rack_bound = hall == halls.begin()->first ? "day 0" : "the previous hall's racks";
        h.rack_start = latest_arrival(hall, kRackPhase, prev_rack_end, h.rack_bound);
        h.rack_end = h.rack_start + std::ceil(static_cast<double>(h.racks) / in.racks_per_day);
        h.cable_bound = "this hall's racks";
        double floor = h.rack_end;
        if (prev_cable_end > floor) {
            floor = prev_cable_end;
            h.cable_bound = "the previous hall's cabling";
        }
        h.cable_start = latest_arrival(hall, kCablePhase, floor, h.cable_bound);
        h.cable_end = h.cable_start + std::ceil(static_cast<double>(h.cables) / (in.cables_per_crew_day * in.crews));
        h.ready = h.cable_end + in.commissioning_days;
        prev_rack_end = h.rack_end;
        prev_cable_end = h.cable_end;
        s.halls.push_back(h);
        for (const auto* bound : {&h.rack_bound, &h.cable_bound}) {
            if (bound->rfind("arrival of ", 0) == 0) {
                const std::string category = bound->substr(11, bound->find(" (") - 11);
                s.prestage[category] = needs[halls.begin()->first][category];
            }
        }
    }
    // Critical path: back from the last hall.
    for (std::size_t i = s.halls.size(); i-- > 0;) {
        const HallSchedule& h = s.halls[i];
        s.critical_path.insert(s.critical_path.begin(), fmt::format("hall {} cabling days {}-{} (after {})", h.hall,
                                                                    h.cable_start, h.cable_end, h.cable_bound));
        if (h.cable_bound == "the previous hall's cabling") {
            continue;
        }
        s.critical_path.insert(s.critical_path.begin(), fmt::format("hall {} racks days {}-{} (after {})", h.hall,
                                                                    h.rack_start, h.rack_end, h.rack_bound));
        if (h.rack_bound != "the previous hall's racks") {
            break;
        }
    }
    if (!s.halls.empty()) {
        s.critical_path.push_back(fmt::format("commissioning {} days", in.commissioning_days));
    }
    return s;
}

std::string format_schedule(const Schedule& s, const ScheduleInput& in) {
    std::string out = "Bring-up schedule (all parts ordered on day 0)\n";
    for (const auto& h : s.halls) {
        out += fmt::format("  hall {}: {} racks days {}-{} (after {}), {} cables days {}-{} (after {}), ready {} "
                           "(day {})\n",
                           h.hall, h.racks, h.rack_start, h.rack_end, h.rack_bound, h.cables, h.cable_start,
                           h.cable_end, h.cable_bound, date_after(in, h.ready), h.ready);
    }
    out += "  critical path: ";
    for (std::size_t i = 0; i < s.critical_path.size(); ++i) {
        out += (i ? " -> " : "") + s.critical_path[i];
    }
    out += "\n  pre-stage (their arrival holds a phase up; hall 0's quantity):";
    if (s.prestage.empty()) {
        out += " nothing";
    }
    for (const auto& [c, n] : s.prestage) {
        out += fmt::format(" {} ({})", c, n);
    }
    return out + "\n";
}

} // namespace twin::buildout
