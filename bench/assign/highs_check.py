#!/usr/bin/env python3
"""Independent check of waypoint-assign's optimal mechanism: the same model as a MILP for HiGHS.

Reads sessions.csv, preferences.csv and optionally people.csv (the formats in issue 3), builds
  x[p,s] in {0,1} for every person p and section s they may sit in,
  sum_{s in slot t} x[p,s] = 1          for every person p seated in slot t,
  sum_{s of course c} x[p,s] <= 1       for every person p and course c running in 2+ slots,
  sum_{s of course c} x[p,s] = 1        for every required course c (not led by p),
  sum_p x[p,s] <= capacity(s)           for every section s,
minimises  sum cost(p,s) x[p,s]  with cost = rank_cost(rank) if ranked, 0 if required and unranked,
and U = max_rank_cost * placements + 1 if unranked (the lexicographic objective as one sum, exactly
as the Rust crate weighs it), and prints one JSON line with objective, unranked count, rank cost,
status and times.
"""
import csv, json, sys, time, argparse
import numpy as np
import highspy


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def split(s):
    return [x.strip() for x in (s or "").split(";") if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rank-cost", default="squared", choices=["squared", "linear", "exponential"])
    ap.add_argument("--time-limit", type=float, default=3600)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    t0 = time.perf_counter()
    ses = read(f"{a.dir}/sessions.csv")
    prefs = read(f"{a.dir}/preferences.csv")
    try:
        ppl = read(f"{a.dir}/people.csv")
    except FileNotFoundError:
        ppl = None
    labels = []
    for r in ses:
        if r["slot"] not in labels:
            labels.append(r["slot"])
    if all(l.lstrip("-").isdigit() for l in labels):
        labels.sort(key=int)
    slot_ix = {l: i for i, l in enumerate(labels)}
    T = len(labels)
    sections = []  # (id, course, slot, cap, facs)
    for r in ses:
        sections.append((r["section_id"], r["course_id"], slot_ix[r["slot"]], int(r["capacity"]), split(r["facilitators"]), split(r.get("audience"))))
    audience = {}
    for s in sections:
        if s[5]:
            audience.setdefault(s[1], set()).update(s[5])
    people, absent, required = [], {}, {}
    if ppl is not None:
        for r in ppl:
            people.append(r["person_id"])
            absent[r["person_id"]] = {slot_ix[x] for x in split(r.get("absent_slots"))}
            required[r["person_id"]] = split(r.get("required_courses"))
    else:
        seen = set()
        for r in prefs:
            if r["person_id"] not in seen:
                seen.add(r["person_id"]); people.append(r["person_id"])
        for s in sections:
            for f in s[4]:
                if f not in seen:
                    seen.add(f); people.append(f)
    rank = {}
    for r in prefs:
        rank.setdefault(r["person_id"], {})[r["course_id"]] = int(r["rank"])
    leads, leads_course = {}, {}
    for si, s in enumerate(sections):
        for f in s[4]:
            leads.setdefault(f, {})[s[2]] = si
            leads_course.setdefault(f, set()).add(s[1])
    course_slots = {}
    for s in sections:
        course_slots.setdefault(s[1], set()).add(s[2])
    rc = {"squared": lambda r: r * r, "linear": lambda r: r, "exponential": lambda r: 2 ** (r - 1)}[a.rank_cost]
    max_rank = max([rc(r) for d in rank.values() for r in d.values()] or [1])
    seated = [(p, t) for p in people for t in range(T) if t not in absent.get(p, set()) and t not in leads.get(p, {})]
    U = max_rank * len(seated) + 1
    by_slot = [[si for si, s in enumerate(sections) if s[2] == t] for t in range(T)]

    cols_cost, cols_person, cols_section = [], [], []
    for p in people:
        myrank = rank.get(p, {})
        req = [c for c in required.get(p, []) if c not in leads_course.get(p, set())]
        for t in range(T):
            if t in absent.get(p, set()) or t in leads.get(p, {}):
                continue
            for si in by_slot[t]:
                c = sections[si][1]
                if c in leads_course.get(p, set()):
                    continue
                if c in audience and p not in audience[c]:
                    continue
                if c in myrank:
                    cost = rc(myrank[c])
                elif c in req:
                    cost = 0
                else:
                    cost = U
                cols_cost.append(cost); cols_person.append(p); cols_section.append(si)
    n = len(cols_cost)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", a.threads)
    h.setOptionValue("time_limit", a.time_limit)
    h.setOptionValue("mip_rel_gap", 0.0)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.col_cost_ = np.array(cols_cost, dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    rows = {}  # key -> (lower, upper, [cols])
    def add(key, lo, up, j):
        e = rows.get(key)
        if e is None:
            rows[key] = [lo, up, [j]]
        else:
            e[2].append(j)
    for j in range(n):
        p, si = cols_person[j], cols_section[j]
        c, t = sections[si][1], sections[si][2]
        add(("slot", p, t), 1, 1, j)
        if len(course_slots[c]) > 1 or c in required.get(p, []):
            req = c in required.get(p, []) and c not in leads_course.get(p, set())
            add(("course", p, c), 1 if req else -inf, 1, j)
        add(("cap", si), -inf, sections[si][3], j)
    starts, index = [], []
    lower, upper = [], []
    for lo, up, js in rows.values():
        starts.append(len(index)); index.extend(js); lower.append(lo); upper.append(up)
    lp.num_row_ = len(rows)
    lp.row_lower_ = np.array(lower, dtype=float)
    lp.row_upper_ = np.array(upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts + [len(index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    obj = info.objective_function_value
    sol = h.getSolution().col_value
    unranked = sum(1 for j in range(n) if sol[j] > 0.5 and cols_cost[j] == U)
    rank_cost = sum(cols_cost[j] for j in range(n) if sol[j] > 0.5 and cols_cost[j] != U)
    print(json.dumps({
        "solver": "highs " + highspy.Highs().version() if hasattr(highspy.Highs(), "version") else "highs",
        "status": status, "objective": round(obj), "unranked": unranked, "rank_cost": rank_cost,
        "mip_dual_bound": info.mip_dual_bound, "columns": n, "rows": len(rows),
        "build_seconds": round(t1 - t0, 3), "solve_seconds": round(t2 - t1, 3), "total_seconds": round(t2 - t0, 3),
    }))


if __name__ == "__main__":
    main()
