"""Checks the problem registry the Spark job keeps across runs (--registry, issue 46).

    python3 tests/spark/registry.py --before RUN1/problems.json --after REGISTRY.json \
        --local INDEX/problems.json --assignments RUN2/assignments [--min-kept 0.95]

--before: the registry after a first run (the copy that run wrote); --after: the same file
after a second run over more items; --local: the registry local minyi keeps in an index that
ingested the same items in the same two steps (`minyi ingest` updates it).

Fails (exit 1) unless:
- at least --min-kept of the problems the first run found keep their id: the problem now
  holding at least half of their messages is the one with their id;
- the problems the second run found are local minyi's (one person's repeats aside, which the
  engine leaves to the local run), message for message;
- every member of a found problem has its registered id in the second run's assignments.
"""

import argparse
import json
import sys
from collections import Counter


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def owners(registry):
    """Each message's problem id (merged problems left out)."""
    of = {}
    for p in registry["problems"]:
        if p.get("merged_into") is None:
            for m in p["members"]:
                of[m["id"]] = p["id"]
    return of


def found_sets(registry):
    """The found problems as sets of message ids (repeats left out)."""
    return {frozenset(m["id"] for m in p["members"]): p["id"]
            for p in registry["problems"] if p["found"] and not p.get("repeated")}


def main(argv):
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--before", required=True)
    a.add_argument("--after", required=True)
    a.add_argument("--local", required=True)
    a.add_argument("--assignments", required=True)
    a.add_argument("--min-kept", type=float, default=0.95)
    args = a.parse_args(argv)
    before, after, local = load(args.before), load(args.after), load(args.local)
    failures = []

    now = owners(after)
    earlier = [p for p in before["problems"] if p["found"]]
    kept = 0
    for p in earlier:
        ids = [m["id"] for m in p["members"]]
        best, n = Counter(now.get(i) for i in ids).most_common(1)[0]
        kept += best == p["id"] and 2 * n >= len(ids)
    share = kept / len(earlier) if earlier else 0.0
    print(f"ids kept from the first run: {kept} of {len(earlier)} ({share:.3f})")
    if not earlier or share < args.min_kept:
        failures.append(f"ids kept {share:.3f} < {args.min_kept}")

    engine, here = found_sets(after), found_sets(local)
    same = len(set(engine) & set(here))
    print(f"problems found: engine {len(engine)}, local {len(here)}, the same messages {same}")
    if not engine or same != len(engine) or same != len(here):
        failures.append("the engine's registered problems are not local minyi's")

    import pyarrow.parquet as pq
    table = pq.read_table(args.assignments, columns=["id", "registered"])
    registered = dict(zip(table.column("id").to_pylist(), table.column("registered").to_pylist()))
    wrong = [(m, registered.get(m), p) for members, p in engine.items() for m in members
             if registered.get(m) != p]
    print(f"assignments: {len(registered)} items, {len(wrong)} members without their id")
    if wrong:
        failures.append(f"assignments: e.g. {wrong[:3]}")

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
