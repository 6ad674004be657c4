"""pytest tests of the Spark job's own steps (the package src/spark/minyi_job): the ones
that are plain Python, and, on a local[2] session, the components, the sample, the parsing of
minyi's lines and the pipe, each against a reference computed here the obvious way. `.ci/run`
runs them; run them alone with `python -m pytest -q tests/spark` from the repository root
(pyspark and pytest installed).
"""

import json
import os
import random
import sys
import zipfile
from argparse import Namespace

import pytest

SPARK_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "src", "spark")
sys.path.insert(0, SPARK_DIR)
from minyi_job import SparkJobError  # noqa: E402
from minyi_job.files import input_format  # noqa: E402
from minyi_job.minyi import pipe, run_minyi  # noqa: E402
from minyi_job.model import Rules, read_rules, rules_of  # noqa: E402
from minyi_job.problems import components  # noqa: E402
from minyi_job import segment  # noqa: E402
from minyi_job.steps import sample_lines, strip_derived, top_k, union_find  # noqa: E402


def reference_components(edges):
    """node -> smallest node of its component, by breadth-first search."""
    neighbours = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    label = {}
    for start in sorted(neighbours):
        if start in label:
            continue
        seen, todo = {start}, [start]
        while todo:
            x = todo.pop()
            for y in neighbours[x]:
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        smallest = min(seen)
        for x in seen:
            label[x] = smallest
    return label


def random_edges(rng, nodes, count):
    names = ["n%03d" % i for i in range(nodes)]
    return [(rng.choice(names), rng.choice(names)) for _ in range(count)]


def test_top_k_ranks_by_similarity_then_id():
    rng = random.Random(7)
    rows = [(round(rng.random(), 2), "id%02d" % i) for i in range(60)]
    want = sorted(rows, key=lambda r: (-r[0], r[1]))[:12]
    assert top_k(rows, 12) == want
    # Combining per-partition top-k's gives the top-k of all (aggregateByKey relies on it).
    parts = [rows[i::3] for i in range(3)]
    assert top_k(sum((top_k(p, 12) for p in parts), []), 12) == want
    assert top_k(rows[:2], 12) == sorted(rows[:2], key=lambda r: (-r[0], r[1]))


def test_union_find_labels_each_node_with_its_components_smallest():
    rng = random.Random(11)
    for nodes, count in [(10, 4), (80, 60), (200, 400)]:
        edges = random_edges(rng, nodes, count)
        assert dict(union_find(iter(edges))) == reference_components(edges)


def test_strip_derived_gives_back_the_item():
    item = {"id": "X1", "title": "锦绣华庭小区噪音", "likes": 3}
    segmented = dict(item, places=["锦绣华庭小区"], title_terms=["锦绣", "华庭"],
                     body_terms=[], sample_key="00ff")
    assert json.loads(strip_derived(json.dumps(segmented, ensure_ascii=False))) == item


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession
    s = (SparkSession.builder.master("local[2]").appName("minyi-spark-tests")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    # The workers import the job's package from a zip, as with spark-submit --py-files.
    package = os.path.join(SPARK_DIR, "minyi_job")
    shipped = tmp_path_factory.mktemp("py-files") / "minyi_job.zip"
    with zipfile.ZipFile(shipped, "w") as z:
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                z.write(os.path.join(package, name), "minyi_job/" + name)
    s.sparkContext.addPyFile(str(shipped))
    yield s
    s.stop()


def test_components_in_one_task_and_by_propagation_agree(spark):
    rng = random.Random(3)
    # Chains (many propagation rounds), stars and singletons' pairs.
    edges = random_edges(rng, 120, 90)
    edges += [("c%03d" % i, "c%03d" % (i + 1)) for i in range(40)]
    want = reference_components(edges)
    df = spark.createDataFrame(edges, "a string, b string")
    for below, path in [(10 ** 6, "one task"), (0, "propagation")]:
        stage = {}
        got = {r["node"]: r["label"] for r in components(spark, df, below, stage).collect()}
        assert got == want, path
        assert (stage["rounds"] == 0) == (path == "one task")


def test_sample_is_the_items_with_the_smallest_keys(spark):
    rng = random.Random(5)
    rows = [("line%04d" % i, "%016x" % rng.getrandbits(64)) for i in range(3000)]
    items = spark.createDataFrame(rows, "line string, sample_key string")
    for size in [1, 40, 500]:
        sample, driver_bytes = sample_lines(items, len(rows), size, 42)
        want = {line for line, _ in sorted(rows, key=lambda r: r[1])[:size]}
        assert {r["line"] for r in sample.collect()} == want
        assert 0 < driver_bytes < 16 * len(rows)
    # A set no larger than the sample is the sample, with nothing sent to the driver.
    whole, driver_bytes = sample_lines(items, len(rows), len(rows), 42)
    assert whole.count() == len(rows) and driver_bytes == 0


def test_rules_are_read_from_the_model():
    model = {"format": "minyi-topic-model/1", "vocab": [], "topics": [],
             "rules": {"representative_candidates": 12, "phrases_per_topic": 2000,
                       "items_per_name_of_a_busy_key": 3}}
    assert rules_of(model) == Rules(representative_candidates=12, phrases_per_topic=2000,
                                    items_per_name_of_a_busy_key=3)
    with pytest.raises(SparkJobError, match="no `rules`"):
        rules_of({k: v for k, v in model.items() if k != "rules"})
    partial = dict(model, rules={"representative_candidates": 12, "phrases_per_topic": 2000})
    with pytest.raises(SparkJobError, match="items_per_name_of_a_busy_key"):
        rules_of(partial)


def test_rules_are_read_from_a_model_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"rules": {"representative_candidates": 5, "phrases_per_topic": 7,
                                          "items_per_name_of_a_busy_key": 2}}), encoding="utf-8")
    assert read_rules(path) == Rules(5, 7, 2)
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(SparkJobError):
        read_rules(path)


# Lines as `minyi segment` writes them: an item, a line that cannot become one, and an item
# whose own fields hold the word "rejected" (under `extra`, where other keys go).
LINES = [
    '{"id":"a1","title":"小区噪音扰民","body":"施工噪音很大","submitted_at":"2019-11-02T10:00:00+08:00",'
    '"submitter":"","sector":"","unit":"","adoption":"none","instruction":"","feedback":"",'
    '"likes":null,"dislikes":null,"extra":[],"source":"<stdin>:1","places":[],'
    '"title_terms":["小区","噪音","扰民"],"body_terms":["施工","噪音","很大"],"sample_key":"420d82563e3dd962"}',
    '{"rejected":{"file":"<stdin>","location":"line 2","field":"title/body",'
    '"reason":"item has neither a title nor a body","original":"{\\"title\\":\\"\\"}"}}',
    '{"id":"b2","title":"rejected","body":"{\\"rejected\\":1}","submitted_at":null,'
    '"submitter":"张三","sector":"","unit":"","adoption":"none","instruction":"","feedback":" 已回复 ",'
    '"likes":4,"dislikes":null,"extra":[["rejected","yes"]],"source":"<stdin>:3","places":[],'
    '"title_terms":[],"body_terms":[],"sample_key":"0000000000000001"}',
]


def test_segmented_lines_are_parsed_once_with_a_schema(spark):
    for line in LINES:
        json.loads(line)  # each is one JSON object
    rows = segment.parse_segmented(spark, spark.sparkContext.parallelize(LINES, 2)).persist()
    try:
        got = {r["id"]: r for r in segment.items(rows).collect()}
        assert sorted(got) == ["a1", "b2"]
        # The line goes on to minyi as written, byte for byte.
        assert [got["a1"]["line"], got["b2"]["line"]] == [LINES[0], LINES[2]]
        assert got["a1"]["submitted_at"] == "2019-11-02T10:00:00+08:00"
        assert got["a1"]["sample_key"] == "420d82563e3dd962"
        assert got["a1"]["ts"] is not None and got["b2"]["ts"] is None
        assert got["b2"]["likes"] == "4" and got["a1"]["likes"] is None
        assert [r["line"] for r in segment.rejected(rows).collect()] == [LINES[1]]
        stats = segment.item_stats(segment.items(rows))
        assert (stats["n"], stats["with_id"], stats["ids"]) == (2, 2, 2)
        assert stats["latest"] == "2019-11-02T10:00:00+08:00"
        assert (stats["submitter"], stats["likes"], stats["feedback"]) == (1, 1, 1)
    finally:
        rows.unpersist()


def test_a_failing_minyi_raises(tmp_path):
    with pytest.raises(SparkJobError, match="exit code 1"):
        run_minyi(Namespace(minyi="false", config=None), "topics")
    with pytest.raises(SparkJobError, match="cannot run"):
        run_minyi(Namespace(minyi=str(tmp_path / "no-minyi"), config=None), "topics")
    with pytest.raises(SparkJobError, match="cannot tell the format"):
        input_format(Namespace(format=None, input=["items.txt"]))


def test_pipe_streams_each_partition_and_fails_with_the_commands_errors(spark):
    lines = spark.sparkContext.parallelize(["%d 号" % i for i in range(100)], 3)
    assert pipe(lines, ["cat"]).collect() == lines.collect()
    with pytest.raises(Exception, match="no such key"):
        pipe(lines, ["sh", "-c", "cat >/dev/null; echo no such key >&2; exit 3"]).collect()
