#!/usr/bin/env python3
"""Turn bench/assign/run.sh's raw results into RESULTS.md and outcome.svg (stdlib only)."""
import glob, json, os, platform, statistics, subprocess, sys

res, out, command = sys.argv[1], sys.argv[2], sys.argv[3]


def load(tag):
    p = f"{res}/{tag}.json"
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        return None
    with open(p) as f:
        txt = f.read().strip().splitlines()
    # HiGHS prints a banner before the one JSON line; the Rust reports are pretty-printed.
    if txt[-1].startswith("{"):
        return json.loads(txt[-1])
    return json.loads("\n".join(txt))


def times(prefix):
    ts, mem = [], []
    for p in sorted(glob.glob(f"{res}/{prefix}.*.time")):
        with open(p) as f:
            parts = [l for l in f.read().splitlines() if l.strip()][-1].split()
        ts.append(float(parts[0])); mem.append(int(parts[1]))
    return ts, mem


def cpu():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


lines = []
w = lines.append
w("# PD-day assignment benchmarks\n")
w(f"Machine: {cpu()}, {os.cpu_count()} cores, "
  f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB; "
  f"{platform.system()} {platform.release()}. Every solve is pinned to one core (`taskset -c 0`); "
  "times are whole-process wall time from `/usr/bin/time` (reading CSVs, solving, writing "
  "assignments.csv and the JSON report). HiGHS runs with `threads=1`.\n")
w(f"Command: `{command}` (release build of `crates/waypoint-assign/examples/assign.rs`; "
  "instances from `waypoint_assign::generate` with seed 1).\n")

w("## Speed and certified quality of `optimal`\n")
w("| instance | runs | time limit (s) | median time (s) | min–max (s) | peak RSS (MiB) | unranked: found / proven minimum | rank cost: found / proven minimum¹ | gap² |")
w("|---|---|---|---|---|---|---|---|---|")
summary = {}
limits = {"day": "none", "conference": "28", "large": "280"}
for name in ["day", "conference", "large"]:
    ts, mem = times(f"{name}.optimal")
    if not ts:
        continue
    r = load(f"{name}.optimal.1")
    b = r["bound"] or {}
    o = r["objective"]
    summary[name] = (statistics.median(ts), r)
    gap = "proven optimal" if b.get("proven_optimal") else f"{b.get('gap', 1) * 100:.3f}%"
    w(f"| {name} ({r['people']:,} people, {r['slots']} slots, {r['sections']:,} sections) | {len(ts)} | "
      f"{limits[name]} | {statistics.median(ts):.2f} | {min(ts):.2f}–{max(ts):.2f} | {max(mem) / 1024:.0f} | "
      f"{o['unranked']:,} / {b.get('min_unranked', 0):,} | {o['rank_cost']:,} / {b.get('min_rank_cost', 0):,} | {gap} |")
w("\n¹ Among assignments with no more unranked placements than the one found. "
  "² The larger of the two relative gaps (unranked count, rank cost); both bounds are exact "
  "integers from the Lagrangian relaxation, not estimates.\n")

ts_h, _ = times("day.highs")
if ts_h:
    h = load("day.highs.1")
    d = summary.get("day")
    w("## Independent check: the same model as a MILP in HiGHS (1,000-person day)\n")
    w("| solver | median time (s) | objective (weighted) | unranked | rank cost | status |")
    w("|---|---|---|---|---|---|")
    w(f"| HiGHS {h.get('solver', '')} (`highs_check.py`, {h['columns']:,} binaries, {h['rows']:,} rows) | "
      f"{statistics.median(ts_h):.2f} | {h['objective']:,} | {h['unranked']} | {h['rank_cost']:,} | {h['status']} |")
    if d:
        o = d[1]["objective"]
        w(f"| waypoint-assign `optimal` | {d[0]:.2f} | {o['weighted']:,} | {o['unranked']} | {o['rank_cost']:,} | "
          f"lower bound {d[1]['bound']['lower']:,} |")
        diff = o["weighted"] - h["objective"]
        w(f"\nSpeed-up: {statistics.median(ts_h) / d[0]:.1f}× (median whole-process times, one core each). "
          f"Objective difference from HiGHS's proven optimum: {diff:+,} "
          f"({diff / h['objective'] * 100:.4f}% weighted, "
          f"{(o['rank_cost'] - h['rank_cost']) / h['rank_cost'] * 100:.3f}% of the rank cost).\n")

w("## Quality: optimal vs first-come-first-served vs random serial dictatorship\n")
w("| instance | mechanism | unranked | first choice somewhere | all in top 3 | worst ranked | rank cost (rank²) | people with envy | time (s) |")
w("|---|---|---|---|---|---|---|---|---|")
for name in ["day", "conference", "large"]:
    for mech in ["optimal", "fcfs", "rsd"]:
        r = load(f"{name}.{mech}.1")
        if not r:
            continue
        ts, _ = times(f"{name}.{mech}")
        w(f"| {name} | {mech} | {r['unranked']:,} | {r['first_choice_share'] * 100:.1f}% | "
          f"{r['all_top3_share'] * 100:.1f}% | {r['worst_rank']} | {r['objective']['rank_cost']:,} | "
          f"{r['envy']['people']:,} | {statistics.median(ts):.2f} |")
w("\nProfiles (placements at rank 1…9, then unranked):\n")
w("```")
for name in ["day", "day-linear", "day-exponential", "conference", "large"]:
    for mech in ["optimal", "fcfs", "rsd"]:
        r = load(f"{name}.{mech}.1")
        if r:
            w(f"{name:16} {mech:8} {' '.join(f'{x:>6}' for x in r['profile'])} | {r['unranked']:>6}")
w("```\n")
w("`day-linear` / `day-exponential`: the optimal mechanism with rank cost `rank` and `2^(rank-1)` "
  "instead of `rank²` on the same day, for comparison of the profiles.\n")
w("![Outcome profile of the 1,000-person day](outcome.svg)\n")

with open(f"{out}/RESULTS.md", "w") as f:
    f.write("\n".join(lines) + "\n")

# Outcome chart: share of placements at each rank, optimal vs fcfs, as grouped bars.
opt, fc = load("day.optimal.1"), load("day.fcfs.1")
if opt and fc:
    cats = [str(i + 1) for i in range(max(len(opt["profile"]), len(fc["profile"])))] + ["unranked"]
    def series(r):
        p = r["profile"] + [0] * (len(cats) - 1 - len(r["profile"]))
        return p + [r["unranked"]]
    so, sf = series(opt), series(fc)
    W, H, L, B, T = 720, 360, 60, 50, 40
    pw, ph = W - L - 20, H - B - T
    top = max(so + sf) * 1.1
    bw = pw / len(cats)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">1,000-person PD day: placements by choice rank</text>']
    for k in range(5):
        v = top * k / 4
        y = T + ph - ph * k / 4
        svg.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - 20}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    for i, c in enumerate(cats):
        x0 = L + i * bw
        for j, (vals, color) in enumerate([(so, "#1b7837"), (sf, "#c2a5cf")]):
            h = ph * vals[i] / top
            svg.append(f'<rect x="{x0 + bw * (0.12 + 0.38 * j):.1f}" y="{T + ph - h:.1f}" width="{bw * 0.36:.1f}" height="{h:.1f}" fill="{color}"><title>{["optimal", "fcfs"][j]} {c}: {vals[i]}</title></rect>')
        svg.append(f'<text x="{x0 + bw / 2:.1f}" y="{T + ph + 16}" text-anchor="middle">{c}</text>')
    svg.append(f'<text x="{L + pw / 2}" y="{H - 8}" text-anchor="middle">choice rank received</text>')
    svg.append(f'<text transform="translate(14,{T + ph / 2}) rotate(-90)" text-anchor="middle">placements</text>')
    svg.append(f'<rect x="{W - 230}" y="{T}" width="12" height="12" fill="#1b7837"/><text x="{W - 213}" y="{T + 10}">optimal ({opt["unranked"]} unranked)</text>')
    svg.append(f'<rect x="{W - 230}" y="{T + 18}" width="12" height="12" fill="#c2a5cf"/><text x="{W - 213}" y="{T + 28}">first come, first served ({fc["unranked"]})</text>')
    svg.append("</svg>")
    with open(f"{out}/outcome.svg", "w") as f:
        f.write("\n".join(svg) + "\n")
print(open(f"{out}/RESULTS.md").read())
