"""The job's own steps that are plain Python or one Spark filter, tested alone
(tests/spark/test_steps.py)."""

import heapq
import json

from pyspark.sql import functions as F


def top_k(rows, k):
    """The k rows ranked first by (-similarity, id), from any number of rows."""
    return heapq.nsmallest(k, rows, key=lambda r: (-r[0], r[1]))


def union_find(edges):
    """(node, smallest node of its component) for the edges (a, b) of one task."""
    parent = {}

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:  # the smaller root stays: a root is its component's smallest node
            parent[max(ra, rb)] = min(ra, rb)
    for x in parent:
        yield x, find(x)


def strip_derived(line):
    """A segmented line as the item it was: without what `minyi segment` added. The one
    place a segmented line is parsed again, for the sample's lines only: the item goes to
    `minyi ingest` with every field minyi wrote, whatever they are, which a Spark schema
    naming the fields would not keep."""
    item = json.loads(line)
    for k in ("places", "title_terms", "body_terms", "sample_key"):
        item.pop(k, None)
    return json.dumps(item, ensure_ascii=False)


def sample_lines(items, n, size, seed):
    """The `size` items with the smallest sample keys, without sorting all items: the keys
    are uniform 64-bit hashes (16 hex digits), so those below size/n x 1.2 of the range are
    about 1.2 x size items. Only their keys reach the driver (16 bytes each), which finds
    the size-th smallest; the sample is the items up to it, fetched a partition at a time.
    Retried with a wider band in the unlikely case the band holds too few."""
    if n <= size:
        return items.select("line"), 0
    share = min(1.0, 1.2 * size / n)
    while True:
        threshold = "%016x" % min(int(share * 2 ** 64), 2 ** 64 - 1)
        keys = [r["sample_key"] for r in
                items.filter(F.col("sample_key") <= threshold).select("sample_key").toLocalIterator()]
        if len(keys) >= size or share >= 1.0:
            break
        share = min(1.0, share * 1.5)
    keys.sort()
    last = keys[min(size, len(keys)) - 1]
    return items.filter(F.col("sample_key") <= last).select("line"), 16 * len(keys)
