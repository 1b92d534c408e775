// Several jobs on one cluster: reading the "jobs" array and merging the job traces (models/jobs.hpp
// states the rules). No equations: rank r of job j runs on GPU first_j + r; the merged trace has the
// same operations as the job traces, so the cost is O(total ranks + total steps).
#include "twin/models/jobs.hpp"

#include "twin/models/compute.hpp"
#include "twin/models/serving.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

namespace twin::models {
namespace {

using Index = std::size_t;

Index ix(int v) {
    return static_cast<Index>(v);
}

// Remaps a job program's family indices to the merged trace's and offsets absolute peers.
void remap(Block& block, const std::vector<int>& family_map, int offset, std::uint16_t file) {
    for (Step& s : block.body) {
        if (auto* b = std::get_if<Block>(&s)) {
            remap(*b, family_map, offset, file);
            continue;
        }
        Op& op = std::get<Op>(s);
        op.file = file;
        if (op.kind == Op::Kind::Collective) {
            op.collective.family = family_map[ix(op.collective.family)];
        } else if (op.kind == Op::Kind::Send || op.kind == Op::Kind::Recv) {
            Peer& p = op.p2p.peer;
            if (p.kind == Peer::Kind::Rank) {
                p.value += offset;
            } else if (p.family >= 0) {
                p.family = family_map[ix(p.family)];
            }
        }
    }
}

// The job's GPU range [first, first + count) from its "gpus" object; count defaults to `ranks`.
void read_gpus(const Value& v, const topology::Cluster& cluster, Job& job) {
    Object o = v.as_object();
    const Value first = o.at("first");
    const auto count = o.find("count");
    o.finish();
    const int total = cluster.gpu_count();
    job.first_gpu = static_cast<int>(first.as_integer(0, total - 1));
    const int node = cluster.node_of_gpu(job.first_gpu);
    const int node_first = cluster.nodes()[ix(node)].first_gpu;
    if (node_first != job.first_gpu) {
        first.fail(fmt::format("a job starts on a node boundary: GPU {} is not the first GPU of its node (node {} "
                               "starts at GPU {})",
                               job.first_gpu, node, node_first));
    }
    job.gpus = count ? static_cast<int>(count->as_integer(1, total - job.first_gpu)) : 0;
}

void check_name(const Value& v, const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) {
        v.fail("a job name must be non-empty and without '/' (its rank classes are named \"<job>/<class>\")");
    }
}

} // namespace

Trace merge_job_traces(const std::vector<Job>& jobs, std::vector<Trace> traces, int ranks) {
    Trace out;
    out.ranks = ranks;
    out.class_of_rank.assign(ix(ranks), -1);
    std::map<std::string, int> family_index;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const Job& job = jobs[j];
        Trace& t = traces[j];
        const int off = job.first_gpu;
        out.name += (j == 0 ? "" : "+") + job.name;
        if (out.file.empty()) {
            out.file = t.file;
        }
        // Each job's ops name its own file in later errors (Trace::files, file_of).
        auto known = std::find(out.files.begin(), out.files.end(), t.file);
        if (known == out.files.end()) {
            known = out.files.insert(out.files.end(), t.file);
        }
        const auto file = static_cast<std::uint16_t>(known - out.files.begin());
        std::vector<int> family_map;
        for (auto& g : t.groups) {
            auto [it, fresh] = family_index.emplace(g.name, static_cast<int>(out.groups.size()));
            if (fresh) {
                GroupFamily fam;
                fam.name = g.name;
                fam.comm_of_rank.assign(ix(ranks), -1);
                fam.position_of_rank.assign(ix(ranks), -1);
                out.groups.push_back(std::move(fam));
            }
            family_map.push_back(it->second);
            GroupFamily& fam = out.groups[ix(it->second)];
            for (auto& comm : g.communicators) {
                const auto c = static_cast<std::int32_t>(fam.communicators.size());
                for (std::size_t k = 0; k < comm.size(); ++k) {
                    comm[k] += off;
                    fam.comm_of_rank[ix(comm[k])] = c;
                    fam.position_of_rank[ix(comm[k])] = static_cast<std::int32_t>(k);
                }
                fam.communicators.push_back(std::move(comm));
            }
        }
        for (auto& cls : t.classes) {
            cls.name = job.name + "/" + cls.name;
            cls.program.name = cls.name;
            const auto c = static_cast<std::int32_t>(out.classes.size());
            for (int& r : cls.ranks) {
                r += off;
                out.class_of_rank[ix(r)] = c;
            }
            remap(cls.program, family_map, off, file);
            out.classes.push_back(std::move(cls));
        }
        for (const auto& [family, role] : t.info.family_roles) {
            out.info.family_roles.emplace(family, role);
        }
    }
    return out;
}

JobSet load_jobs(const Value& jobs_value, const WorkloadContext& context) {
    const Array list = jobs_value.as_array();
    if (list.empty()) {
        jobs_value.fail("\"jobs\" needs at least one job");
    }
    if (list.size() > kMaxJobs) {
        jobs_value.fail(fmt::format("at most {} jobs (there are {})", kMaxJobs, list.size()));
    }
    const auto& cluster = context.cluster;
    std::vector<Job> jobs;
    std::vector<Trace> traces;
    std::set<std::string> names;
    int ranks = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        Object o = list.at(i).as_object();
        const Value name = o.at("name");
        const Value gpus = o.at("gpus");
        const Value workload = o.at("workload");
        o.finish();
        Job job;
        job.name = name.as_string();
        check_name(name, job.name);
        if (!names.insert(job.name).second) {
            name.fail(fmt::format("job name \"{}\" is used twice", job.name));
        }
        read_gpus(gpus, cluster, job);
        WorkloadContext ctx{cluster, context.base_dir, context.limits, job.first_gpu, job.gpus};
        Trace t = load_workload(workload.as_object(), ctx);
        if (t.info.serving) {
            workload.fail("request-mode serving (\"serving\") is not available inside a job: its replicas are placed "
                          "over the whole cluster; run it as the scenario's \"workload\"");
        }
        const int available = ctx.gpus_available();
        if (t.ranks > available) {
            workload.fail(fmt::format("the workload has {} ranks but job \"{}\" has {} GPUs (from GPU {})", t.ranks,
                                      job.name, available, job.first_gpu));
        }
        // Checked here, on the job's own trace: merged, every job's ops would name the first job's file.
        check_trace_compute_support(t, cluster, job.first_gpu);
        job.ranks = t.ranks;
        if (job.gpus == 0) {
            job.gpus = t.ranks;
        }
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            const Job& other = jobs[k];
            if (job.first_gpu < other.first_gpu + other.gpus && other.first_gpu < job.first_gpu + job.gpus) {
                gpus.as_object().fail_at(
                    "first", fmt::format("job \"{}\" (GPUs {}..{}) overlaps job \"{}\" (/jobs/{}, GPUs {}..{})",
                                         job.name, job.first_gpu, job.first_gpu + job.gpus - 1, other.name, k,
                                         other.first_gpu, other.first_gpu + other.gpus - 1));
            }
        }
        job.info = t.info;
        ranks = std::max(ranks, job.first_gpu + job.ranks);
        jobs.push_back(std::move(job));
        traces.push_back(std::move(t));
    }
    JobSet out;
    out.trace = merge_job_traces(jobs, std::move(traces), ranks);
    out.jobs = std::move(jobs);
    return out;
}

} // namespace twin::models
