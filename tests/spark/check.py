"""Checks a Spark run of minyi (src/spark/minyi_spark.py) against local minyi.

    python3 tests/spark/check.py --spark OUT/topics.json --summary OUT/summary.json \
        [--local local_topics.json --labels data.csv --label-column source_folder \
         --id-column id --max-nmi-drop 0.02] [--same-as other_topics.json]

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
import sys
from collections import Counter


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
    a = p.parse_args()
    spark = json.load(open(a.spark, encoding="utf-8"))
    summary = json.load(open(a.summary, encoding="utf-8"))
    got = assignment(spark)
    if len(got) != summary["items"] or spark["items"] != summary["items"]:
        sys.exit(f"{summary['items']} items segmented, {len(got)} placed, report says {spark['items']}")
    if summary["items"] + summary["rejected"] != summary["read"]:
        sys.exit(f"read {summary['read']} = {summary['items']} items + {summary['rejected']} rejected does not hold")
    print(f"every item placed: {len(got)} items, {len(spark['topics'])} topics, "
          f"{spark['other']['size']} in 其他, {summary['rejected']} rejected")
    if a.same_as:
        other = json.load(open(a.same_as, encoding="utf-8"))
        members = lambda r: sorted(sorted(t["item_ids"]) for t in r["topics"])
        if members(other) != members(spark) or sorted(other["other"]["item_ids"]) != sorted(spark["other"]["item_ids"]):
            sys.exit(f"topics differ from {a.same_as}")
        print(f"same topics as {a.same_as}")
    if a.local:
        local = assignment(json.load(open(a.local, encoding="utf-8")))
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
