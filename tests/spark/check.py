"""Checks a Spark run of minyi (src/spark/minyi_spark.py) against local minyi.

    python3 tests/spark/check.py --spark OUT/topics.json --summary OUT/summary.json \
        [--local local_topics.json --labels data.csv --label-column source_folder \
         --id-column id --max-nmi-drop 0.02] [--same-as other_topics.json]

A topics file whose members are in Parquet assignments (the Spark job's `assignments/`,
named by its `assignments` key) is read with them (pyarrow). With --max-driver-bytes, fails
when the job's driver received more than that (the sample's lines and the sums).

Fails (exit 1) unless every item of the input is in a topic or in 其他 exactly once, and,
with --local, unless the Spark topics' NMI against the labels is at most --max-nmi-drop
below local minyi's on the same data; with --same-as, unless the topics have the same
members as those of another run. NMI: arithmetic normalisation (as scikit-learn's
default), 其他 counted as one more cluster.
"""

import argparse
import csv
import json
import math
import os
import sys
from collections import Counter


def load(path):
    """A topics file, its member ids filled from its Parquet assignments when it has them."""
    report = json.load(open(path, encoding="utf-8"))
    rel = report.get("assignments")
    if rel:
        if any(t["item_ids"] for t in report["topics"]) or report["other"]["item_ids"]:
            sys.exit(f"{path}: member ids listed although they are in {rel}")
        import pyarrow.parquet as pq
        table = pq.read_table(os.path.join(os.path.dirname(path), rel), columns=["id", "theme"])
        by_theme = {}
        for i, t in zip(table.column("id").to_pylist(), table.column("theme").to_pylist()):
            by_theme.setdefault(t, []).append(i)
        for t in report["topics"]:
            t["item_ids"] = by_theme.pop(t["id"], [])
            if len(t["item_ids"]) != t["size"]:
                sys.exit(f"{path}: topic {t['id']} has {t['size']} items, {len(t['item_ids'])} assigned")
        report["other"]["item_ids"] = by_theme.pop(None, [])
        if by_theme:
            sys.exit(f"{path}: items assigned to themes it does not have: {sorted(by_theme)[:5]}")
    return report


def assignment(report):
    out = {}
    for t in report["topics"]:
        for i in t["item_ids"]:
            if i in out:
                sys.exit(f"item {i} is in two topics")
            out[i] = t["id"]
    for i in report["other"]["item_ids"]:
        if i in out:
            sys.exit(f"item {i} is in a topic and in 其他")
        out[i] = -1
    return out


def problems_of(report):
    return sorted((p for t in report["topics"] for p in t["problems"]), key=lambda p: p["rank"]) \
        + sorted(report["other"]["problems"], key=lambda p: p["rank"])


def same_problems(path, report, other_path):
    """The problems of `report` (members from its assignments) are those of another run:
    the same ids (heat ranks), labels, themes and members."""
    import pyarrow.parquet as pq
    table = pq.read_table(os.path.join(os.path.dirname(path), report["assignments"]),
                          columns=["id", "problem"])
    members = {}
    for i, p in zip(table.column("id").to_pylist(), table.column("problem").to_pylist()):
        if p:
            members.setdefault(p, set()).add(i)
    want = {p["id"]: p for p in problems_of(json.load(open(other_path, encoding="utf-8")))}
    got = {p["id"]: p for p in problems_of(report)}
    if set(members) != set(want):
        sys.exit(f"{len(members)} problems in the assignments, {len(want)} in {other_path}")
    for pid, w in want.items():
        g = got.get(pid)
        if g is None or (g["label"], g["theme"], g["size"]) != (w["label"], w["theme"], w["size"]) \
                or members[pid] != set(w["item_ids"]):
            sys.exit(f"problem {pid} differs: {w['label']} ({w['size']}) vs "
                     f"{g and g['label']} ({len(members.get(pid, ()))})")
    print(f"same problems as {other_path}: {len(want)} (ids, labels, themes, members)")


def check_planted(path, report, truth_path, min_found):
    """Each planted problem must come out as one problem: one holding at least 80% of its
    items, of which at least half are planted ones (real messages may name the same place)."""
    import pyarrow.parquet as pq
    truth = json.load(open(truth_path, encoding="utf-8"))
    rel = report.get("assignments")
    if not rel:
        sys.exit(f"{path}: no assignments to read the problems' members from")
    table = pq.read_table(os.path.join(os.path.dirname(path), rel), columns=["id", "problem"])
    problem_of = dict(zip(table.column("id").to_pylist(), table.column("problem").to_pylist()))
    sizes = Counter(p for p in problem_of.values() if p)
    listed = {p["id"]: p for t in report["topics"] for p in t["problems"]}
    listed.update({p["id"]: p for p in report["other"]["problems"]})
    found = 0
    for obj, ids in truth.items():
        held = Counter(problem_of.get(i) for i in ids if problem_of.get(i))
        best, n = held.most_common(1)[0] if held else (None, 0)
        ok = best is not None and n >= 0.8 * len(ids) and n >= 0.5 * sizes[best]
        found += ok
        label = listed.get(best, {}).get("label", "(not listed)") if best else "-"
        print(f"  {obj}: {len(ids)} planted, {n} in {best} ({sizes.get(best, 0)} items, {label})"
              f"{'' if ok else '  <- not found'}")
    need = len(truth) if min_found is None else min_found
    print(f"planted problems found: {found} of {len(truth)} (at least {need} needed)")
    if found < need:
        sys.exit(f"only {found} of {len(truth)} planted problems came out")


def check_cut(stages, most):
    """Components over `most` items were cut by time, and no find task linked more."""
    largest, linked = stages["largest_component"], stages["largest_linked"]
    cut = stages["sliced_components"]
    print(f"largest component {largest} items, cut into runs of at most {linked} "
          f"({cut} components cut, {stages.get('pairs_across_cuts', 0)} pairs across the cuts, "
          f"{stages.get('dups_across_cuts', 0)} of them near-duplicates)")
    if largest <= most:
        sys.exit(f"the largest component has {largest} items, not over {most}: nothing to cut")
    if cut < 1 or linked > most:
        sys.exit(f"a find task linked {linked} items, over --max-component {most}")


def entropy(counts, n):
    return -sum(c / n * math.log(c / n) for c in counts.values() if c)


def nmi(truth, pred):
    n = len(truth)
    joint = Counter(zip(truth, pred))
    ct, cp = Counter(truth), Counter(pred)
    mi = sum(c / n * math.log(c * n / (ct[a] * cp[b])) for (a, b), c in joint.items())
    h = (entropy(ct, n) + entropy(cp, n)) / 2
    return mi / h if h > 0 else 1.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spark", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--local")
    p.add_argument("--labels")
    p.add_argument("--label-column", default="source_folder")
    p.add_argument("--id-column", default="id")
    p.add_argument("--max-nmi-drop", type=float, default=0.02)
    p.add_argument("--same-as", help="a topics file whose topics (members) must be the same")
    p.add_argument("--same-problems-as",
                   help="a topics file whose problems must be the same: ids, labels, members")
    p.add_argument("--planted", help="truth.json of tests/spark/plant.py: planted problems to find")
    p.add_argument("--min-found", type=int,
                   help="planted problems that must come out [default: all]")
    p.add_argument("--max-driver-bytes", type=int,
                   help="most bytes the job's driver may have received (summary's driver_bytes)")
    p.add_argument("--max-linked", type=int,
                   help="the job ran with --max-component N: a component over N items must "
                   "have been cut, and no `problems find` task may have linked more than N")
    a = p.parse_args()
    spark = load(a.spark)
    summary = json.load(open(a.summary, encoding="utf-8"))
    got = assignment(spark)
    if len(got) != summary["items"] or spark["items"] != summary["items"]:
        sys.exit(f"{summary['items']} items segmented, {len(got)} placed, report says {spark['items']}")
    if summary["items"] + summary["rejected"] != summary["read"]:
        sys.exit(f"read {summary['read']} = {summary['items']} items + {summary['rejected']} rejected does not hold")
    print(f"every item placed: {len(got)} items, {len(spark['topics'])} topics, "
          f"{spark['other']['size']} in 其他, {summary['rejected']} rejected")
    if a.max_driver_bytes is not None:
        got_bytes = summary["driver_bytes"]
        if got_bytes > a.max_driver_bytes:
            sys.exit(f"the driver received {got_bytes} bytes, more than {a.max_driver_bytes}")
        print(f"the driver received {got_bytes} bytes (at most {a.max_driver_bytes})")
    if a.max_linked is not None:
        check_cut(summary["problem_stages"], a.max_linked)
    if a.planted:
        check_planted(a.spark, spark, a.planted, a.min_found)
    if a.same_problems_as:
        same_problems(a.spark, spark, a.same_problems_as)
    if a.same_as:
        other = load(a.same_as)
        members = lambda r: sorted(sorted(t["item_ids"]) for t in r["topics"])
        if members(other) != members(spark) or sorted(other["other"]["item_ids"]) != sorted(spark["other"]["item_ids"]):
            sys.exit(f"topics differ from {a.same_as}")
        # Persistence as the editor reads it: the unit (months, or weeks over a quarter),
        # the units with items and the span, topic by topic.
        def persistence(r):
            return {tuple(sorted(t["item_ids"])): tuple(t["signals"].get(k) for k in (
                "beat", "months_active", "span_months", "weeks_active", "span_weeks", "persistence"))
                for t in r["topics"]}
        mine, theirs = persistence(other), persistence(spark)
        for m, v in mine.items():
            if theirs[m][:5] != v[:5] or abs(theirs[m][5] - v[5]) > 1e-9:
                sys.exit(f"a topic's persistence differs from {a.same_as}: {theirs[m]} against {v}")
        beats = sorted({v[0] for v in mine.values()})
        print(f"same topics as {a.same_as}, with the same persistence (counted in {', '.join(beats)})")
    if a.local:
        local = assignment(load(a.local))
        if set(local) != set(got):
            sys.exit(f"Spark placed {len(got)} items, local {len(local)}: not the same ids")
        with open(a.labels, encoding="utf-8", newline="") as f:
            labels = {r[a.id_column]: r[a.label_column] for r in csv.DictReader(f)}
        ids = sorted(got)
        truth = [labels[i] for i in ids]
        n_spark = nmi(truth, [got[i] for i in ids])
        n_local = nmi(truth, [local[i] for i in ids])
        print(f"NMI against {a.label_column}: Spark {n_spark:.3f}, local minyi {n_local:.3f}")
        if n_spark < n_local - a.max_nmi_drop:
            sys.exit(f"Spark NMI {n_spark:.3f} is more than {a.max_nmi_drop} below local {n_local:.3f}")


if __name__ == "__main__":
    main()
