#!/usr/bin/env python3
"""Writes docs/performance.md from one results file of bench/run.sh (JSON lines; python3 standard library only).

    python3 bench/report.py bench/results/<date>-<commit>.jsonl --out docs/performance.md
    python3 bench/report.py RUN.jsonl --scale bench/results/scale-<date>-<commit>.jsonl   # with bench/scale.sh's lines
    python3 bench/report.py --out docs/performance.md        # no run yet: method only, says so

The section between the analysis markers of the existing file is kept: that is where the profile and the
explanation of a missed target are written by hand.
"""
import argparse
import json
import os
import statistics
import sys

ANALYSIS_BEGIN = "<!-- analysis:begin -->"
ANALYSIS_END = "<!-- analysis:end -->"
DEFAULT_ANALYSIS = "No analysis yet: it is written here, by hand, after a full run (profile, what limits a missed target)."

METHOD = """\
## Method

- **Driver** (`bench/Tempora.Bench`): the official `Temporalio` .NET SDK 1.21.1 as client *and* worker in one
  process, as a user's app would run it. The workflow runs K no-op activities one after the other, each returning
  its input; the input is a string of `payload_bytes` (default 16) that starts with the workflow's index, and the
  client checks that every result equals its input.
- **Workload** (the same as the peers', `../shared/peers/README.md`): start N workflows with at most C start
  requests in flight; once a start is acknowledged the client waits for that workflow's result, with no cap on how
  many results it waits for at once (*open* mode). One unmeasured warm-up workflow runs first.
- **Closed loop** (`--closed-loop`, the peers' `CLOSED_LOOP=1`): each of C loops waits for its workflow's result
  before it starts the next, so at most C workflows are in flight; C=1 is one workflow at a time, the latency a user
  sees on an idle system. Tempora's closed-loop runs ask for eager workflow start (`request_eager_execution`; the
  server runs with `system.enableEagerWorkflowStart=true`), so the first workflow task comes back in the start
  response to the worker of the same process.
- **Raw driver** (`tempora-bench --raw`): client and worker over plain gRPC (Grpc.Net.Client with the Temporalio
  package's message types), without the SDK's replay machinery: it starts workflows (eager when a workflow task
  slot is free), polls the normal and the sticky workflow task queue and the activity task queue, completes workflow
  tasks with the commands the SDK sends for this workflow (ScheduleActivityTask asking for eager execution, then
  CompleteWorkflowExecution with the activity's result; sticky attributes and `return_new_workflow_task` on every
  completion), completes activities, and waits for results with `GetWorkflowExecutionHistory` (wait_new_event,
  close-event filter) as the SDK does. Its own CPU per workflow is a fraction of the SDK's, so its open-mode run at
  high concurrency shows the server's ceiling in workflows/s on these two cores.
- **Figures**: `wall_s` from the first start request to the last result; `wf_per_s` = completed / wall;
  p50/p95/p99 = time from just before a start request to the moment the client sees that workflow's result
  (nearest-rank, as the peers); `starts_s` = time until the last start was acknowledged.
- **Footprint**: the server's `/proc/PID/status` (VmRSS, VmHWM) and `/proc/PID/stat` (utime + stime) every 250 ms.
  Peak RSS is the larger of the sampled peak and VmHWM (the server is launched fresh for each run, so VmHWM covers
  its start and the warm-up too). "RSS before load" is the first sample, after the warm-up. CPU per workflow is the
  server's CPU seconds during the measured run divided by the completed workflows. The driver's own CPU (client and
  worker) is reported separately. On PostgreSQL the postmaster and its backends are sampled as a tree: summed PSS
  (shared buffers counted once) and CPU; commits (of the two Tempora databases), WAL bytes and WAL syncs per
  workflow come from `pg_stat_database`, `pg_current_wal_lsn()` and `pg_stat_wal` (WAL counters are cluster-wide),
  rows per table from `pg_stat_user_tables`; backends publish these late, so the driver reads them again each second
  after the run until they stop changing (at most 30 s; `settled` in the JSON line).
- **Stores**: SQLite = `tempora start-dev` on a new database file; PostgreSQL = `tempora schema setup` then
  `tempora start` on a new pair of databases on the private cluster of `scripts/postgres.sh` (PostgreSQL with
  stock durability: fsync and synchronous_commit on, shared_buffers 128 MB). Both are the Release build from
  `dotnet publish`, each run a freshly launched server.
- **Idle**: in the first SQLite closed-loop C=1 run the server is left idle for `IDLE_S` seconds before the load
  (after the warm-up) and again after it (after its counters and phases were read): CPU as % of one core, peak RSS
  in each window. "RSS after start" is the server's RSS right after the driver
  connected, before the warm-up. **Start-up**: `tempora start-dev` launched on a new file (and again on the same
  file), timed from process start until an SDK client has connected (the SDK calls GetSystemInfo) and
  `DescribeNamespace` answered; median of the launches.
- **Phases**: after each run the driver reads the histories of 20 workflows spread over it and reports the median
  time of each step in `phases_ms` of the JSON line (start request → started event, workflow task schedule → start
  and start → complete, activity schedule → start and start → complete, activity completed → next workflow task
  started, workflow closed → result seen by the client): where the latency goes, without a profiler.
- **Inside the server**: the driver reads the server's `/metrics` just before and just after the measured run and
  reports, per gRPC operation and per store call, the calls per workflow and the server's mean time for each
  (`server_calls_per_wf` in the JSON line).
- **Worker and client settings**: 200 workflow task and 200 activity slots, 10 workflow and 10 activity pollers,
  the SDK's workflow cache (10,000) and its default gzip request compression (`--grpc-compression none` in
  `BENCH_ARGS` measures without it). The targets below compare medians over the `REPEAT` passes.
- Client, server and PostgreSQL share the machine's cores in every run, as in the peers' runs, so every figure is
  CPU-bound and includes the driver's own CPU use. Runs on a shared or busy machine are not comparable.
- Reproduce: `bash bench/run.sh` (add `PEERS=1` for the peers in the same run, `LINEARITY=1` for 20,000
  workflows; `MODES` picks open, closed and raw runs; bench/README.md lists the settings); the raw JSON lines are in
  `bench/results/`.
"""


def repo_path(path):
    """The results file relative to the repository root (no machine paths in the docs)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rel = os.path.relpath(os.path.abspath(path), root)
    return os.path.basename(path) if rel.startswith("..") else rel


PHASES = [("request_to_started", "start request → started"), ("wft_schedule_to_start", "WFT schedule → start"),
          ("wft_start_to_complete", "WFT start → complete"), ("activity_schedule_to_start", "activity schedule → start"),
          ("activity_start_to_complete", "activity start → complete"),
          ("activity_complete_to_wft_start", "activity done → next WFT start"), ("closed_to_result_seen", "closed → result seen")]


def phases_section(loads):
    rows = [[r.get("label", "?")] + [fmt((r.get("phases_ms") or {}).get(k)) for k, _ in PHASES] for r in loads if r.get("phases_ms")]
    if not rows:
        return None
    return "\n".join(["## Tempora: where a workflow's time goes", "",
                      "Medians in ms over the histories of about 20 workflows spread over each run (every workflow "
                      "of a C=1 run), per workflow: a phase that happens twice (the two workflow tasks) counts both "
                      "(event times of the server, request and result times of the client; WFT = workflow task).", "",
                      table(["run"] + [title for _, title in PHASES], rows), ""])


def server_calls_section(loads):
    """Per run: the gRPC requests and store calls one workflow cost, with the server's mean time for each."""
    runs = [r for r in loads if r.get("server_calls_per_wf")]
    if not runs:
        return None
    out = ["## Inside the server: requests and store calls per workflow", "",
           "From the server's own histograms (`service_latency`, `persistence_latency` on its `/metrics`), read before "
           "and after each run: calls per workflow / mean ms the server took for each. Long polls "
           "(`Poll*TaskQueue`, the result's `GetWorkflowExecutionHistory`) include their waiting time.", ""]
    for metric, title in (("service_latency", "gRPC request"), ("persistence_latency", "store call")):
        ops = sorted({op for r in runs for op in (r["server_calls_per_wf"].get(metric) or {})})
        rows = []
        for op in ops:
            cells = []
            for r in runs:
                v = (r["server_calls_per_wf"].get(metric) or {}).get(op)
                cells.append(f"{fmt(v[0], 2)} / {fmt(v[1], 2)}" if v else "–")
            rows.append([f"`{op}`"] + cells)
        out += [table([title] + [r.get("label", "?") for r in runs], rows), ""]
    return "\n".join(out)


def pg_rows_section(loads):
    runs = [r for r in loads if (r.get("pg_per_wf") or {}).get("rows_ins_upd_del")]
    if not runs:
        return None
    tables = sorted({t for r in runs for t in r["pg_per_wf"]["rows_ins_upd_del"]})
    rows = []
    for t in tables:
        cells = []
        for r in runs:
            v = r["pg_per_wf"]["rows_ins_upd_del"].get(t)
            cells.append(" / ".join(fmt(x, 2) for x in v) if v else "–")
        rows.append([f"`{t}`"] + cells)
    return "\n".join(["## PostgreSQL: rows written per workflow", "",
                      "Inserted / updated / deleted rows per workflow, per table (`pg_stat_user_tables` of the two "
                      "databases, before and after each run).", "",
                      table(["table"] + [r.get("label", "?") for r in runs], rows), ""])


def load(path):
    lines = []
    with open(path) as f:
        for raw in f:
            raw = raw.strip()
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    print(f"report.py: skipping a malformed line in {path}", file=sys.stderr)
    return lines


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if digits == 0:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def load_row(r, run):
    pg = r.get("pg_per_wf") or {}
    return [
        r.get("store", "?"), str(r.get("activities")), str(run), fmt(r.get("workflows"), 0), fmt(r.get("concurrency"), 0),
        fmt(r.get("wall_s"), 2), fmt(r.get("wf_per_s")), fmt(r.get("p50_ms")), fmt(r.get("p95_ms")), fmt(r.get("p99_ms")),
        fmt(r.get("server_peak_rss_mb")), fmt(r.get("server_idle_rss_mb")), fmt(r.get("server_cpu_ms_per_wf"), 2),
        fmt(r.get("driver_cpu_ms_per_wf"), 2), fmt(r.get("db_peak_pss_mb")), fmt(r.get("db_cpu_ms_per_wf"), 2),
        fmt(pg.get("commits"), 2), fmt(pg.get("wal_kb"), 2), fmt(r.get("errors"), 0) + (" (timed out)" if r.get("timed_out") else ""),
    ]


LOAD_HEADER = ["store", "activities", "run", "workflows", "concurrency", "wall s", "wf/s", "p50 ms", "p95 ms", "p99 ms",
               "server peak RSS MB", "server RSS before load MB", "server CPU ms/wf", "driver CPU ms/wf",
               "PostgreSQL peak PSS MB", "PostgreSQL CPU ms/wf", "commits/wf", "WAL KiB/wf", "errors"]


def peer_cpu_ms_per_wf(p):
    cpu = p.get("cpu_s") or {}
    n = p.get("completed") or p.get("n") or 0
    if not n:
        return None, None
    client = cpu.get("client", 0)
    server_side = sum(v for k, v in cpu.items() if k != "client")
    return server_side * 1000 / n, client * 1000 / n


def peers_section(peers):
    runs = [p for p in peers if p.get("peer") in ("restate", "dbos")]
    floor = [p for p in peers if p.get("peer") == "pgbench-floor"]
    if not runs and not floor:
        return None
    out = ["## Peers, measured in the same run", "",
           "From `../shared/peers` (`restate/run.sh`, `dbos/run.sh`, `pgfloor/run.sh`, called by `bench/run.sh` in the "
           "same modes as Tempora's runs; see its README). Restate's "
           "server side = restate-server + its Node service endpoint, its client is separate; DBOS has no server: "
           "PostgreSQL (PSS) + the app, which is client and executor, so its CPU includes the client's.", ""]
    rows = []
    count = {}
    for p in runs:
        count[p["peer"]] = count.get(p["peer"], 0) + 1
        server_ms, client_ms = peer_cpu_ms_per_wf(p)
        rows.append([f'{p["peer"]} {p.get("version", "")}', p.get("label") or str(count[p["peer"]]),
                     "closed" if p.get("closed_loop") else "open", fmt(p.get("n"), 0), fmt(p.get("concurrency"), 0),
                     fmt(p.get("wall_s"), 2), fmt(p.get("wf_per_s")), fmt(p.get("p50_ms")), fmt(p.get("p95_ms")), fmt(p.get("p99_ms")),
                     fmt(p.get("peak_rss_mb")), fmt(server_ms, 2), fmt(client_ms, 2) if p["peer"] == "restate" else "in the app",
                     fmt(p.get("failed"), 0)])
    if rows:
        out += [table(["peer", "run", "loop", "workflows", "concurrency", "wall s", "wf/s", "p50 ms", "p95 ms", "p99 ms",
                       "peak RSS MB (server side)", "server-side CPU ms/wf", "client CPU ms/wf", "errors"], rows), ""]
    idle_rows = []
    for p in runs:
        idle = p.get("idle") or {}
        for name, v in idle.items():
            if isinstance(v, dict):
                idle_rows.append([f'{p["peer"]}: {name}', fmt(v.get("cpu_pct")), fmt(v.get("rss_mb"))])
    if idle_rows:
        out += ["Peers idle (launched and warmed up, before their load):", "",
                table(["process", "CPU % of one core", "RSS MB"], idle_rows), ""]
    if floor:
        frows = [[str(i + 1), fmt(f.get("commit1_tps"), 0), fmt(f.get("wf3_runs_s"), 0), fmt(f.get("wf5_runs_s"), 0),
                  fmt(f.get("wf5b_runs_s"), 0), fmt(f.get("fdatasync_ops_s"), 0)] for i, f in enumerate(floor)]
        out += ["PostgreSQL floor on this disk (pgbench, 16 clients; runs/s of each script = workflows/s of that shape):", "",
                table(["run", "commit1 tps", "wf3 (3 commits) /s", "wf5 (5 commits) /s", "wf5b (5 one-statement commits) /s",
                       "fdatasync/s"], frows), ""]
    return "\n".join(out)


def side_by_side_section(loads, peers):
    """Every system's runs of the shared workload (1 step/activity) in one table: Tempora's and the peers'."""
    ours = [r for r in loads if r.get("activities") == 1 and not is_closed(r) and not is_raw(r)]
    theirs = [p for p in peers if p.get("peer") in ("restate", "dbos") and not p.get("closed_loop")]
    if not ours or not theirs:
        return None
    rows = []
    for r in ours:
        cpu = (r.get("server_cpu_ms_per_wf") or 0) + (r.get("db_cpu_ms_per_wf") or 0)
        rows.append([f"tempora ({r.get('store')})", r.get("label", ""), fmt(r.get("workflows"), 0), fmt(r.get("concurrency"), 0),
                     fmt(r.get("wf_per_s")), fmt(r.get("p50_ms")), fmt(r.get("p95_ms")), fmt(r.get("p99_ms")),
                     fmt((r.get("server_peak_rss_mb") or 0) + (r.get("db_peak_pss_mb") or 0)), fmt(cpu, 2),
                     fmt(r.get("driver_cpu_ms_per_wf"), 2)])
    for p in theirs:
        server_ms, client_ms = peer_cpu_ms_per_wf(p)
        rows.append([f'{p["peer"]} {p.get("version", "")}', "", fmt(p.get("n"), 0), fmt(p.get("concurrency"), 0),
                     fmt(p.get("wf_per_s")), fmt(p.get("p50_ms")), fmt(p.get("p95_ms")), fmt(p.get("p99_ms")),
                     fmt(p.get("peak_rss_mb")), fmt(server_ms, 2), fmt(client_ms, 2) if p["peer"] == "restate" else "in the app"])
    return "\n".join(["## Open mode, side by side: every system, the same workload, this run", "",
                      "Each workflow runs one no-op step (Tempora: one activity). Server side = what a user would run "
                      "besides their application: Tempora + PostgreSQL (PSS) where used; Restate's server + its service "
                      "endpoint; DBOS's PostgreSQL + the app (which is also its client). Client = the load generator "
                      "(Tempora: the official .NET SDK as client and worker).", "",
                      table(["system", "run", "workflows", "concurrency", "wf/s", "p50 ms", "p95 ms", "p99 ms",
                             "peak RSS MB (server side)", "server-side CPU ms/wf", "client CPU ms/wf"], rows), ""])


def is_closed(r):
    return bool(r.get("closed_loop"))


def is_raw(r):
    return r.get("driver") == "raw"


def server_side_cpu(r):
    """Tempora's server CPU per workflow, plus PostgreSQL's (the postmaster and its backends) where it ran."""
    if r.get("server_cpu_ms_per_wf") is None:
        return None
    return r["server_cpu_ms_per_wf"] + (r.get("db_cpu_ms_per_wf") or 0)


def server_side_rss(r):
    if r.get("server_peak_rss_mb") is None:
        return None
    return r["server_peak_rss_mb"] + (r.get("db_peak_pss_mb") or 0)


def peer_name(p):
    return f'{p["peer"]} {p.get("version", "")}'.strip()


def closed_runs(loads, peers, c1):
    """Tempora's SDK closed-loop runs and the peers' closed-loop runs at C=1 (c1) or above."""
    ours = [r for r in loads if is_closed(r) and not is_raw(r) and (r.get("concurrency") == 1) == c1]
    theirs = [p for p in peers if p.get("peer") in ("restate", "dbos") and p.get("closed_loop")
              and (p.get("concurrency") == 1) == c1]
    return ours, theirs


def closed_loop_section(loads, peers):
    """(a) Every system in closed loop: one workflow at a time (latency), then C in flight (throughput and CPU)."""
    c1_ours, c1_theirs = closed_runs(loads, peers, True)
    cn_ours, cn_theirs = closed_runs(loads, peers, False)
    if not (c1_ours or c1_theirs or cn_ours or cn_theirs):
        return None
    out = ["## Closed loop, side by side: one workflow at a time, and 100 in flight", "",
           "Each loop waits for its workflow's result before it starts the next (Tempora: the SDK driver with eager "
           "workflow start; the peers: `CLOSED_LOOP=1`). One no-op step per workflow. Server side = what a user runs "
           "besides their application: Tempora, plus PostgreSQL (CPU of the postmaster and its backends, PSS) on "
           "PostgreSQL; Restate's server + its service endpoint; DBOS's PostgreSQL + the app (which is also its "
           "client, so its CPU includes the client's).", ""]
    if c1_ours or c1_theirs:
        rows = []
        for r in c1_ours:
            rows.append([f"tempora ({r.get('store')})", r.get("label", ""), fmt(r.get("completed"), 0), fmt(r.get("p50_ms")),
                         fmt(r.get("p95_ms")), fmt(r.get("p99_ms")), fmt(server_side_cpu(r), 2), fmt(server_side_rss(r)),
                         fmt(r.get("driver_cpu_ms_per_wf"), 2)])
        for p in c1_theirs:
            server_ms, client_ms = peer_cpu_ms_per_wf(p)
            rows.append([peer_name(p), p.get("label", ""), fmt(p.get("completed"), 0), fmt(p.get("p50_ms")), fmt(p.get("p95_ms")),
                         fmt(p.get("p99_ms")), fmt(server_ms, 2), fmt(p.get("peak_rss_mb")),
                         fmt(client_ms, 2) if p["peer"] == "restate" else "in the app"])
        out += ["### One workflow at a time (C=1)", "",
                table(["system", "run", "workflows", "p50 ms", "p95 ms", "p99 ms", "server-side CPU ms/wf",
                       "peak RSS MB (server side)", "client CPU ms/wf"], rows), ""]
    if cn_ours or cn_theirs:
        rows = []
        for r in cn_ours:
            rows.append([f"tempora ({r.get('store')})", r.get("label", ""), fmt(r.get("completed"), 0), fmt(r.get("concurrency"), 0),
                         fmt(r.get("wf_per_s")), fmt(r.get("p50_ms")), fmt(r.get("p95_ms")), fmt(r.get("p99_ms")),
                         fmt(r.get("server_cpu_ms_per_wf"), 2), fmt(r.get("db_cpu_ms_per_wf"), 2), fmt(server_side_cpu(r), 2),
                         fmt(server_side_rss(r)), fmt(r.get("driver_cpu_ms_per_wf"), 2)])
        for p in cn_theirs:
            server_ms, client_ms = peer_cpu_ms_per_wf(p)
            rows.append([peer_name(p), p.get("label", ""), fmt(p.get("completed"), 0), fmt(p.get("concurrency"), 0), fmt(p.get("wf_per_s")),
                         fmt(p.get("p50_ms")), fmt(p.get("p95_ms")), fmt(p.get("p99_ms")), "–", "–", fmt(server_ms, 2),
                         fmt(p.get("peak_rss_mb")), fmt(client_ms, 2) if p["peer"] == "restate" else "in the app"])
        out += ["### Many in flight (C=%s)" % "/".join(sorted({fmt(x.get("concurrency"), 0) for x in cn_ours + cn_theirs})), "",
                table(["system", "run", "workflows", "concurrency", "wf/s", "p50 ms", "p95 ms", "p99 ms", "server CPU ms/wf",
                       "PostgreSQL CPU ms/wf", "server-side CPU ms/wf", "peak RSS MB (server side)", "client CPU ms/wf"], rows), ""]
    return "\n".join(out)


def tail_section(loads):
    """Issue 24 item 2: the C=1 runs' slowest 1 % beside all of them, phase by phase, with both processes' pauses."""
    runs = [r for r in loads if is_closed(r) and r.get("concurrency") == 1 and (r.get("phases_ms") or {}).get("slowest_1pct")]
    if not runs:
        return None
    rows = []
    for r in runs:
        ph = r["phases_ms"]
        for who, d in (("all (median)", ph), ("slowest 1 % (median)", ph["slowest_1pct"])):
            rows.append([r.get("label", ""), who, fmt(d.get("end_to_end"))] + [fmt(d.get(k)) for k, _ in PHASES])
    pauses = []
    for r in runs:
        for side in ("server", "driver"):
            rt = r.get(f"{side}_runtime") or {}
            if rt:
                pauses.append([r.get("label", ""), side, fmt(rt.get("gen0"), 0), fmt(rt.get("gen1"), 0), fmt(rt.get("gen2"), 0),
                               fmt(rt.get("gc_pause_ms")), fmt(rt.get("jit_ms"))])
    out = ["## The tail at C=1: the slowest 1 %", "",
           "Every workflow of each C=1 run traced (`--phases`): its end-to-end latency as the client saw it, and its "
           "phases from the server's event times (a phase that happens twice, the two workflow tasks, counts both). The "
           "median of each phase over all of them, and over the slowest 1 %. "
           "A phase between a task's start and its completion holds a hop to the worker, the SDK's work and the hop "
           "back; the server's own phases are the schedule → start ones and the start request.", "",
           table(["run", "workflows", "end to end ms"] + [title for _, title in PHASES], rows), ""]
    if pauses:
        out += ["Pauses inside each run of both processes (garbage collections by generation, their total pause, JIT "
                "compilation time): each pause stalls the one workflow in flight.", "",
                table(["run", "process", "gen0 GCs", "gen1 GCs", "gen2 GCs", "GC pause ms", "JIT ms"], pauses), ""]
    return "\n".join(out)


def raw_section(loads, matrix):
    """(b) The server's ceiling: the raw driver at high concurrency, beside the SDK driver's open-mode figure."""
    runs = [r for r in loads if is_raw(r)]
    if not runs:
        return None
    rows = []
    for r in runs:
        sdk = median([m.get("wf_per_s") for m in matrix if m.get("store") == r.get("store") and m.get("activities") == 1])
        rows.append([r.get("store", "?"), r.get("label", ""), fmt(r.get("completed"), 0), fmt(r.get("concurrency"), 0),
                     fmt(r.get("eager_start")), fmt(r.get("wf_per_s")), fmt(sdk), fmt(r.get("p50_ms")), fmt(r.get("p99_ms")),
                     fmt(r.get("server_cpu_ms_per_wf"), 2), fmt(r.get("db_cpu_ms_per_wf"), 2), fmt(server_side_cpu(r), 2),
                     fmt(r.get("driver_cpu_ms_per_wf"), 2), fmt(server_side_rss(r)),
                     fmt(r.get("errors"), 0) + (" (timed out)" if r.get("timed_out") else "")])
    return "\n".join(["## The server's ceiling: the raw driver", "",
                      "`tempora-bench --raw` speaks the worker protocol over plain gRPC (see Method), in open mode: all "
                      "starts up to the concurrency in flight, every result awaited. The SDK driver's open-mode wf/s "
                      "(1 activity, median of this run) is beside it for comparison; the difference is the SDK's CPU "
                      "on the same two cores.", "",
                      table(["store", "run", "workflows", "concurrency", "eager start", "wf/s", "SDK driver wf/s (open)",
                             "p50 ms", "p99 ms", "server CPU ms/wf", "PostgreSQL CPU ms/wf", "server-side CPU ms/wf",
                             "driver CPU ms/wf", "peak RSS MB (server side)", "errors"], rows), ""])


def scale_section(scale):
    """Issue 24 item 4: open workflows waiting on timers and signals, by store and size (lines of kind "scale")."""
    if not scale:
        return None
    rows = []
    for x in sorted(scale, key=lambda x: (str(x.get("store")), x.get("open_workflows") or 0)):
        rows.append([str(x.get("store", "?")), fmt(x.get("open_workflows"), 0), fmt(x.get("rss_peak_mb")), fmt(x.get("rss_mb")),
                     fmt(x.get("rss_settled_mb")), fmt(x.get("rss_after_restart_mb")),
                     fmt(x.get("rss_after_drain_mb")), fmt(x.get("startup_s"), 2), fmt(x.get("db_bytes_per_wf"), 0),
                     fmt(x.get("drain_wf_per_s"))])
    return "\n".join(["## Scale: open workflows", "",
                      "Workflows left open (waiting on timers and signals), per store and number: the server's RSS with "
                      "them open, its start-up time over them, the database's bytes per open workflow, and the rate at "
                      "which they complete afterwards (lines of kind `scale` from `bench/scale.sh`: the peak RSS while "
                      "they opened, RSS 10 s and 70 s after the last of them opened (the idle settle runs in between) "
                      "and 10 s after the restart; start-up from process start to the first answered request over "
                      "them).", "",
                      table(["store", "open workflows", "peak RSS MB (opening)", "RSS MB +10 s", "RSS MB +70 s", "RSS after restart MB", "RSS after drain MB",
                             "start-up s", "database bytes/wf", "drain wf/s"], rows), ""])


def targets24_section(loads, peers, startup, scale):
    """(c) Issue 24's targets, with verdicts computed from this run's lines (medians over repeats)."""
    c1_ours, c1_theirs = closed_runs(loads, peers, True)
    cn_ours, cn_theirs = closed_runs(loads, peers, False)

    def ours(runs, store, key):
        return median([key(r) for r in runs if r.get("store") == store])

    def best_peer(runs, key):
        by = {}
        for p in runs:
            by.setdefault(peer_name(p), []).append(key(p))
        meds = [(median(v), k) for k, v in by.items() if median(v) is not None]
        return min(meds, default=(None, None))

    rows = []
    p50 = ours(c1_ours, "sqlite", lambda r: r.get("p50_ms"))
    p99 = ours(c1_ours, "sqlite", lambda r: r.get("p99_ms"))
    rows.append(["C=1, SQLite: p50 ≤ 6 ms", f"{fmt(p50)} ms" if p50 is not None else "–", verdict(None if p50 is None else p50 <= 6)])
    peer_p50, peer = best_peer(c1_theirs, lambda p: p.get("p50_ms"))
    rows.append(["C=1, SQLite: p50 below the best peer's closed-loop p50",
                 f"{fmt(p50)} ms vs {peer} {fmt(peer_p50)} ms" if p50 is not None and peer_p50 is not None else "–",
                 verdict(None if p50 is None or peer_p50 is None else p50 < peer_p50)])
    rows.append(["C=1, SQLite: p99 ≤ 3× p50",
                 f"{fmt(p99)} ms = {p99 / p50:.2f}× p50" if p50 and p99 is not None else "–",
                 verdict(None if not p50 or p99 is None else p99 <= 3 * p50)])
    peer_cpu, cpu_peer = best_peer(cn_theirs, lambda p: peer_cpu_ms_per_wf(p)[0])
    for store, what in (("sqlite", "Tempora"), ("postgres", "Tempora + PostgreSQL")):
        cpu = ours(cn_ours, store, server_side_cpu)
        rows.append([f"C=100, {store}: server-side CPU/wf ({what}) ≤ half the best peer's",
                     f"{fmt(cpu, 2)} ms vs {cpu_peer} {fmt(peer_cpu, 2)} ms = {cpu / peer_cpu:.2f}×"
                     if cpu is not None and peer_cpu else (f"{fmt(cpu, 2)} ms (no peer figure)" if cpu is not None else "–"),
                     verdict(None if cpu is None or not peer_cpu else cpu <= peer_cpu / 2)])
    for what, runs in (("C=100 closed loop, SDK driver", cn_ours), ("raw driver ceiling", [r for r in loads if is_raw(r)])):
        sq = ours(runs, "sqlite", lambda r: r.get("wf_per_s"))
        pg = ours(runs, "postgres", lambda r: r.get("wf_per_s"))
        rows.append([f"PostgreSQL wf/s ≥ SQLite's ({what})", f"{fmt(pg)} vs {fmt(sq)} wf/s" if sq is not None and pg is not None else "–",
                     verdict(None if sq is None or pg is None else pg >= sq)])
    for store in ("sqlite", "postgres"):
        start_rss = median([r.get("server_start_rss_mb") for r in loads if r.get("store") == store])
        extra = ""
        if store == "sqlite":
            ready = median([x.get("ready_rss_mb") for x in startup])
            if ready is not None:
                extra = f"; {fmt(ready)} MB when start-dev is first ready (start-up runs)"
        rows.append([f"{store}: server RSS ≤ 100 MB right after start",
                     (f"{fmt(start_rss)} MB (median over runs, when the driver has connected)" if start_rss is not None else "–") + extra,
                     verdict(None if start_rss is None else start_rss <= 100)])
    after = [r for r in loads if r.get("idle_after")]
    after_rss = median([r["idle_after"].get("server_rss_mb") for r in after])
    rows.append(["server RSS ≤ 100 MB idle after a load",
                 f"{fmt(after_rss)} MB (peak over {after[0]['idle_after'].get('seconds')} s after {after[0].get('label')})" if after_rss is not None else "–",
                 verdict(None if after_rss is None else after_rss <= 100)])
    for key, when in (("idle", "before the load"), ("idle_after", "after the load")):
        runs = [r for r in loads if r.get(key)]
        cpu = median([r[key].get("server_cpu_pct") for r in runs])
        rows.append([f"idle CPU ≈ 0 ({when}; ≤ 1 % of one core)",
                     f"{fmt(cpu)} % over {runs[0][key].get('seconds')} s ({runs[0].get('label')})" if cpu is not None else "–",
                     verdict(None if cpu is None else cpu <= 1)])
    if scale:
        # "Stays under": the peak while they open counts (older lines without it: RSS 10 s after the last opened).
        for key, when in (("rss_peak_mb", "peak while opening"), ("rss_settled_mb", "70 s after the last opened"),
                          ("rss_after_restart_mb", "after a restart over them")):
            worst = max((x.get(key) for x in scale if x.get(key) is not None), default=None)
            if worst is not None:
                rows.append([f"scale: server RSS < 300 MB at every size of open workflows ({when})", f"{fmt(worst)} MB at most",
                             verdict(worst < 300)])
    return "\n".join(["## Targets (issue 24)", "",
                      "Computed from this run: medians over the repeats of each kind of run; \"best peer\" is the peer "
                      "with the lowest median in the same kind of run.", "",
                      table(["target", "measured", "verdict"], rows), ""])


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


def targets_section(meta, loads, light, linearity, startup, peers):
    std_n = meta.get("n") if meta else None
    std_c = meta.get("concurrency") if meta else None

    def std(store, k):
        return [r for r in loads if r.get("store") == store and r.get("activities") == k
                and r.get("workflows") == std_n and r.get("concurrency") == std_c]

    rows = []
    peer_best = {}
    for p in peers:
        if p.get("peer") in ("restate", "dbos") and p.get("n") == std_n and p.get("concurrency") == std_c and not p.get("closed_loop"):
            peer_best.setdefault(p["peer"], []).append(p.get("wf_per_s"))
    best_peer = max(((median(v), k) for k, v in peer_best.items()), default=(None, None))
    for store in ("sqlite", "postgres"):
        ours = median([r.get("wf_per_s") for r in std(store, 1)])
        ok = None if ours is None or best_peer[0] is None else ours >= 2 * best_peer[0]
        measured = f"{fmt(ours)} wf/s" + (f" vs best peer {best_peer[1]} {fmt(best_peer[0])} wf/s = {ours / best_peer[0]:.2f}×"
                                          if ours is not None and best_peer[0] else " (no peer figure in this run)")
        rows.append([f"{store}: wf/s ≥ 2× best peer (N={fmt(std_n, 0)}, 1 activity, concurrency {fmt(std_c, 0)}, medians)", measured, verdict(ok)])
    p50 = median([r.get("p50_ms") for r in light])
    rows.append(["p50 ≤ 10 ms on SQLite at concurrency 1", f"{fmt(p50)} ms" if p50 is not None else "–",
                 verdict(None if p50 is None else p50 <= 10)])
    idle_rss = median([(r.get("idle") or {}).get("server_rss_mb") for r in light])
    ready = median([s.get("ready_rss_mb") for s in startup])
    rows.append(["server RSS ≤ 100 MB idle after start",
                 f"{fmt(idle_rss)} MB idle after the warm-up" + (f"; {fmt(ready)} MB right after start" if ready is not None else ""),
                 verdict(None if idle_rss is None else idle_rss <= 100)])
    peak = max((r.get("server_peak_rss_mb") for s in ("sqlite", "postgres") for r in std(s, 1)
                if r.get("server_peak_rss_mb") is not None), default=None)
    rows.append(["server RSS ≤ 250 MB peak during the run (1 activity, both stores)", f"{fmt(peak)} MB" if peak is not None else "–",
                 verdict(None if peak is None else peak <= 250)])
    start_ms = median([s.get("startup_ms") for s in startup])
    rows.append(["start-dev ready ≤ 1 s after launch (published build)", f"{fmt(start_ms, 0)} ms" if start_ms is not None else "–",
                 verdict(None if start_ms is None else start_ms <= 1000)])
    w2k = median([r.get("wall_s") for r in std("sqlite", 1)])
    w20k = median([r.get("wall_s") for r in linearity])
    ratio = w20k / w2k if w2k and w20k else None
    rows.append(["20,000 workflows ≤ 11× the time of 2,000 (SQLite)", f"{ratio:.2f}×" if ratio else "–",
                 verdict(None if ratio is None else ratio <= 11)])
    for store in ("sqlite", "postgres"):
        a1 = median([r.get("wall_s") for r in std(store, 1)])
        a10 = median([r.get("wall_s") for r in std(store, 10)])
        r10 = a10 / a1 if a1 and a10 else None
        rows.append([f"{store}: 10 activities ≤ ~6× the time of 1", f"{r10:.2f}×" if r10 else "–",
                     verdict(None if r10 is None else r10 <= 6)])
    rows = [r for r in rows if r[2] != "not measured"]
    if not rows:
        return None
    return "\n".join(["## Earlier targets (issue 7)", "", "Open mode; rows without data in this run are left out.", "",
                      table(["target", "measured", "verdict"], rows), ""])


def render(path, lines, analysis, scale_paths=()):
    meta = next((l for l in lines if l.get("kind") == "meta"), None)
    loads = [l for l in lines if l.get("kind") == "load"]
    startup = [l for l in lines if l.get("kind") == "startup"]
    peers = [l for l in lines if "peer" in l]
    scale = [l for l in lines if l.get("kind") == "scale"]
    light = [l for l in loads if l.get("concurrency") == 1 and (l.get("label") or "").endswith("-light")]
    linearity = [l for l in loads if (l.get("label") or "").endswith("-linearity")]
    closed = [l for l in loads if is_closed(l) and not is_raw(l)]
    raw = [l for l in loads if is_raw(l)]
    matrix = [l for l in loads if l not in light and l not in linearity and l not in closed and l not in raw]

    out = ["# Performance", ""]
    if not loads:
        out += ["**No full run of the benchmark matrix has been recorded yet**, so this page has no figures. "
                "`bash bench/run.sh` (with `PEERS=1` for the side-by-side figures) runs the matrix and rewrites this "
                "page from its results; the method it follows is below. The peers' own figures, measured separately, "
                "are in `../shared/peers/RESULTS.md`.", "",
                "Once a run exists, this page checks the targets of issue 24: one workflow at a time (closed loop, "
                "SQLite) p50 ≤ 6 ms and below the best peer's, p99 ≤ 3× p50; at 100 in flight, server-side CPU per "
                "workflow ≤ half the best peer's on both stores and PostgreSQL's throughput at least SQLite's; idle "
                "RSS ≤ 100 MB after start and after a load, idle CPU ≈ 0; and those of issue 7 (open mode).", ""]
    else:
        standard = (meta and meta.get("n") == 2000 and meta.get("concurrency") == 100
                    and meta.get("cl1_n", 1000) == 1000 and meta.get("cl100_n", 2000) == 2000)
        dirty = " (with uncommitted changes)" if meta and meta.get("dirty") else ""
        out += [f"Figures from one run of `bench/run.sh` on {meta.get('date', '?') if meta else '?'}, commit "
                f"`{meta.get('commit', '?') if meta else '?'}`{dirty}; raw lines: `{repo_path(path)}`"
                + "".join(f", `{repo_path(p)}`" for p in scale_paths) + "."
                + ("" if standard else " **This run is not the standard matrix** (its numbers of workflows or its concurrency differ "
                                      "from the defaults of `bench/run.sh`)."),
                ""]
        if meta:
            out += ["| machine | |", "|---|---|",
                    f"| CPU | {meta.get('nproc')} × {meta.get('cpu_model')} |",
                    f"| memory | {meta.get('mem_gib')} GiB |",
                    f"| kernel | {meta.get('kernel')} |",
                    f"| .NET SDK | {meta.get('dotnet')} |",
                    f"| PostgreSQL | {meta.get('postgres') or '–'} |",
                    f"| driver | Temporalio 1.21.1, payload {meta.get('payload_bytes')} bytes{', extra flags `' + meta['bench_args'] + '`' if meta.get('bench_args') else ''} |",
                    ""]
        sections = (targets24_section(loads, peers, startup, scale), closed_loop_section(loads, peers),
                    tail_section(loads), raw_section(loads, matrix), side_by_side_section(loads, peers),
                    targets_section(meta, matrix, light, linearity, startup, peers))
        out += [x for x in sections if x]

    if matrix:
        runs = {}
        rows = []
        for r in matrix:
            key = (r.get("store"), r.get("activities"), r.get("workflows"), r.get("concurrency"))
            runs[key] = runs.get(key, 0) + 1
            rows.append(load_row(r, runs[key]))
        out += ["## Tempora: the matrix (open mode)", "", table(LOAD_HEADER, rows), ""]
    for title, runs in (("Tempora: closed loop (SDK driver, eager start)", closed), ("Tempora: raw driver", raw)):
        if runs:
            out += [f"## {title}", "", table(LOAD_HEADER, [load_row(r, r.get("label", "")) for r in runs]), ""]
    if light:
        out += ["## Tempora: light load (concurrency 1, SQLite)", "",
                table(LOAD_HEADER, [load_row(r, i + 1) for i, r in enumerate(light)]), ""]
    if linearity:
        out += ["## Tempora: linearity (SQLite)", "",
                table(LOAD_HEADER, [load_row(r, i + 1) for i, r in enumerate(linearity)]), ""]
    if startup or any(l.get("idle") or l.get("idle_after") for l in loads):
        rows = []
        for s in startup:
            rows.append(["start-up, new database file (median of %d)" % s.get("repeat", 0), f"{fmt(s.get('startup_ms'), 0)} ms",
                         ", ".join(fmt(x, 0) for x in s.get("startup_ms_all") or [])])
            rows.append(["start-up, existing file (median)", f"{fmt(s.get('startup_restart_ms'), 0)} ms",
                         ", ".join(fmt(x, 0) for x in s.get("startup_restart_ms_all") or [])])
            rows.append(["RSS when first ready (median)", f"{fmt(s.get('ready_rss_mb'))} MB", ""])
        for r in loads:
            idle = r.get("idle")
            if idle:
                rows.append([f"idle {idle.get('seconds')} s after the warm-up ({r.get('store')})",
                             f"{fmt(idle.get('server_rss_mb'))} MB, {fmt(idle.get('server_cpu_pct'))} % of one core", r.get("label", "")])
            after = r.get("idle_after")
            if after:
                rows.append([f"idle {after.get('seconds')} s after the load ({r.get('store')})",
                             f"{fmt(after.get('server_rss_mb'))} MB (at the end {fmt(after.get('server_end_rss_mb'))} MB), "
                             f"{fmt(after.get('server_cpu_pct'))} % of one core", r.get("label", "")])
            if r.get("server_start_rss_mb") is not None and (idle or after):
                rows.append(["RSS after start, before the warm-up", f"{fmt(r.get('server_start_rss_mb'))} MB", r.get("label", "")])
        out += ["## Tempora: start-up and idle footprint", "", table(["what", "figure", "detail"], rows), ""]
    for section in (scale_section(scale), phases_section(loads), server_calls_section(loads), pg_rows_section(loads)):
        if section:
            out.append(section)
    peer_text = peers_section(peers)
    if peer_text:
        out += [peer_text]

    out += [METHOD, "## Analysis", "", ANALYSIS_BEGIN, analysis.strip() or DEFAULT_ANALYSIS, ANALYSIS_END, ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?", help="a results file of bench/run.sh (JSON lines)")
    ap.add_argument("--out", default="docs/performance.md")
    ap.add_argument("--scale", action="append", default=[],
                    help="a results file of bench/scale.sh whose lines of kind scale join the page (repeatable)")
    args = ap.parse_args()
    lines = load(args.results) if args.results else []
    for extra in args.scale:
        lines += [l for l in load(extra) if l.get("kind") == "scale"]
    analysis = DEFAULT_ANALYSIS
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
        if ANALYSIS_BEGIN in old and ANALYSIS_END in old:
            analysis = old.split(ANALYSIS_BEGIN, 1)[1].split(ANALYSIS_END, 1)[0]
    text = render(args.results or "", lines, analysis, args.scale)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
