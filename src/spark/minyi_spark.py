"""minyi on Apache Spark: segmentation and topic mining of items beyond one machine.

The job computes what local `minyi topics` computes on a set larger than its sample size,
with the work split where the data is, and nothing on the driver growing with the input:

1. Executors pipe their partitions through `minyi segment` (the same Rust segmenter,
   dictionary, cleaning and id derivation as `minyi ingest`). Lines that cannot become an
   item are written, with their reasons, to `rejects/` (by Spark).
2. The driver takes the sample local minyi would take (the items with the smallest
   `sample_key`, a uniform hash of id and seed computed by minyi): a filter keeps the keys
   below a threshold set from the count (about 1.2 times the sample), and an exact top-k of
   that small set gives the sample. It is ingested into a temporary index and clustered
   with `minyi topics --save-model --sample-of N`: the topic model holds the vocabulary,
   idf, each topic's centre, floor and sampled members.
3. Executors pipe their partitions through `minyi assign` with the model (shipped with
   `SparkContext.addFile`): each item's topic or 其他, its similarity to the centre, and what
   it adds to the topic's signals, terms and title phrases.
4. Spark sums these per topic (sizes, windows, distinct submitters, sectors, months, weeks, cues,
   term counts, the most frequent title phrases and their document frequencies, the 12
   items closest to the centre by a per-topic top-k, the smallest member id). The driver
   receives only these sums (bounded by topics x vocabulary, not by items); `minyi describe`
   turns them into `topics.json` in the schema of `minyi topics --format json` without
   member ids. Each item's theme and similarity are written by Spark as Parquet
   (`assignments/`); `minyi report --topics topics.json` reads its members from there.

Every output goes through Spark's file systems (`file://`, `hdfs://`, `s3a://`): --out is a
URI (a plain path means the driver's local disk). See src/spark/README.md for submitting on
YARN or Kubernetes with the binary shipped as an archive.

    spark-submit --master spark://HOST:7077 src/spark/minyi_spark.py \\
        --input items.csv --out hdfs:///minyi/out --minyi /usr/local/bin/minyi

Outputs in --out: topics.json, model.json, sample_topics.json, summary.json, assignments/
(Parquet: id, theme, similarity), rejects/ (JSON lines).
"""

import argparse
import heapq
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.window import Window


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Segment items and mine topics with minyi on a Spark cluster."
    )
    p.add_argument("--input", action="append", required=True,
                   help="input path (file, directory or glob; repeatable)")
    p.add_argument("--format", choices=["csv", "jsonl", "parquet"],
                   help="input format [default: from the first path's extension]")
    p.add_argument("--out", required=True,
                   help="output directory URI (file://, hdfs://, s3a://; a plain path is local)")
    p.add_argument("--minyi", default="minyi",
                   help="the minyi binary: on PATH, an absolute path on every node, or a path "
                   "inside an archive shipped with --archives (e.g. minyi/minyi for "
                   "--archives minyi.tar.gz#minyi) [default: minyi on PATH]")
    p.add_argument("--dict", help="dictionary directory (user.dict, stopwords.txt) on every "
                   "node [default: minyi's built-in one]")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=KEY",
                   help="map a field to an input column, as `minyi ingest --map`")
    p.add_argument("--sample-size", type=int, default=100_000,
                   help="items clustered on the driver (local minyi's sample_size)")
    p.add_argument("--seed", type=int, default=42, help="seed of the sample and clustering")
    p.add_argument("--partitions", type=int, default=0,
                   help="partitions of the input [default: Spark's]")
    p.add_argument("--single-line-csv", action="store_true",
                   help="the CSV has no line breaks inside cells: read it in parallel splits "
                   "(a CSV that may have them is read by one task per file)")
    p.add_argument("--config", help="minyi settings file (minyi.toml) on every node")
    p.add_argument("--problems-listed", type=int, default=1000,
                   help="hottest problems listed in topics.json (every problem's members are "
                   "in the assignments) [default: 1000]")
    p.add_argument("--one-task-pairs", type=int, default=1_000_000, metavar="N",
                   help="up to N paired items, the components of the pairs are found in one "
                   "task (union-find over at most N links); above, by rounds of label "
                   "propagation over the cluster; 0: always by rounds [default: 1000000]")
    p.add_argument("--max-component", type=int, default=200_000, metavar="N",
                   help="most items one `problems find` task links: a component of pairs over N "
                   "items is cut by time into equal runs of at most N, and pairs across the cuts "
                   "are dropped (a problem larger than that may come out in parts) "
                   "[default: 200000]")
    return p.parse_args(argv)


def input_lines(spark, args):
    """The input as JSON lines (one item per line, column names as keys)."""
    fmt = args.format
    if fmt is None:
        ext = os.path.splitext(args.input[0].rstrip("/"))[1].lower()
        fmt = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl",
               ".parquet": "parquet"}.get(ext)
        if fmt is None:
            sys.exit(f"cannot tell the format of {args.input[0]}; give --format")
    if fmt == "jsonl":
        # Kept as written: minyi reads the JSON itself, as `minyi ingest` would.
        return spark.sparkContext.textFile(",".join(args.input)).filter(lambda l: l.strip())
    if fmt == "csv":
        df = (spark.read.option("header", True)
              .option("multiLine", not args.single_line_csv)
              .option("escape", '"').option("encoding", "UTF-8").csv(args.input))
    else:
        df = spark.read.parquet(*args.input)
        # What `minyi export --format parquet` adds is recomputed, not read as item fields.
        df = df.drop("places", "title_terms", "body_terms", "sample_key")
    # Every column as text, as minyi reads a CSV cell; empty cells stay out of the object.
    df = df.select(F.to_json(F.struct([F.col(c).cast("string").alias(c) for c in df.columns])))
    return df.rdd.map(lambda r: r[0])


def resolve(path):
    """A path the driver can run: as given when it exists (or is a bare command), else under
    the directory Spark unpacks --archives and --files into (cluster deploy modes)."""
    if path is None or os.path.exists(path) or os.sep not in path:
        return path
    shipped = os.path.join(SparkFiles.getRootDirectory(), path)
    return shipped if os.path.exists(shipped) else path


def out_uri(out):
    """--out as a URI: a plain path is a directory on the driver's local disk."""
    return out if "://" in out else "file://" + os.path.abspath(out)


def write_file(spark, uri, data):
    """Writes `data` (bytes) to `uri` through Hadoop's file systems, as Spark writes."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(data))
    finally:
        stream.close()


def copy_to(spark, local, uri):
    """Copies a small local file (the model, the sample's topics) to `uri`."""
    with open(local, "rb") as f:
        write_file(spark, uri, f.read())


def pipe(rdd, command, env=None):
    """Streams each partition through a subprocess (one JSON line in, lines out), failing the
    task with the command's error output when it fails."""
    def run(lines):
        cmd = [SparkFiles.get(a[len("sparkfile:"):]) if a.startswith("sparkfile:") else a
               for a in command]
        err = tempfile.TemporaryFile()
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, env=env)

        def feed():
            try:
                for line in lines:
                    proc.stdin.write(line.encode("utf-8"))
                    proc.stdin.write(b"\n")
            finally:
                proc.stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for out in proc.stdout:
            yield out.decode("utf-8").rstrip("\n")
        writer.join()
        if proc.wait() != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed: {err.read().decode('utf-8', 'replace')}")
    return rdd.mapPartitions(run)


def minyi_env(args):
    env = dict(os.environ)
    if args.config:
        env["MINYI_CONFIG"] = args.config
    # minyi parallelises within a process; Spark gives each task one core.
    env.setdefault("RAYON_NUM_THREADS", "1")
    return env


ASSIGNMENT = T.StructType([
    T.StructField("id", T.StringType()),
    T.StructField("title", T.StringType()),
    T.StructField("submitted_at", T.StringType()),
    T.StructField("submitter", T.StringType()),
    T.StructField("sector", T.StringType()),
    T.StructField("topic", T.LongType()),
    T.StructField("similarity", T.DoubleType()),
    T.StructField("unix", T.LongType()),
    T.StructField("time", T.StringType()),
    T.StructField("recent", T.BooleanType()),
    T.StructField("previous", T.BooleanType()),
    T.StructField("month", T.StringType()),
    T.StructField("week", T.StringType()),
    T.StructField("likes", T.LongType()),
    T.StructField("without_feedback", T.BooleanType()),
    T.StructField("adopted", T.BooleanType()),
    T.StructField("instructed", T.BooleanType()),
    T.StructField("difficulty_cues", T.ArrayType(T.StringType())),
    T.StructField("highlight_cues", T.ArrayType(T.StringType())),
    T.StructField("terms", T.ArrayType(T.ArrayType(T.DoubleType()))),
    T.StructField("phrases", T.ArrayType(T.StringType())),
])


def run_minyi(args, *cmd, stdout=None):
    full = [args.minyi, *cmd]
    env = minyi_env(args)
    env.pop("RAYON_NUM_THREADS", None)  # the driver's own steps use its cores
    r = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, env=env)
    sys.stderr.write(r.stderr.decode("utf-8", "replace"))
    if r.returncode != 0:
        sys.exit(f"{' '.join(full)} failed with exit code {r.returncode}")


REPRESENTATIVE_CANDIDATES = 12  # src/topics/topic.rs: describe shows 3 of them
PHRASES_PER_TOPIC = 2000  # a label comes from a topic's frequent title phrases


def top_k(rows, k):
    """The k rows ranked first by (-similarity, id), from any number of rows."""
    return heapq.nsmallest(k, rows, key=lambda r: (-r[0], r[1]))


def tallies(assigned, n, first, latest):
    """Per-topic sums of the assignments, in the shape `minyi describe` reads. What reaches
    the driver is bounded by topics x (vocabulary + phrases + 12 representatives), whatever
    the number of items: no member id is collected."""
    a = assigned
    members = a.filter(F.col("topic").isNotNull())
    as_int = lambda c: F.sum(F.col(c).cast("long"))
    base = members.groupBy("topic").agg(
        F.count(F.lit(1)).alias("size"),
        as_int("recent").alias("recent"),
        as_int("previous").alias("previous"),
        F.countDistinct(F.when(F.col("submitter") != "", F.col("submitter"))).alias("submitters"),
        F.coalesce(F.sum("likes"), F.lit(0)).alias("likes_sum"),
        F.count("likes").alias("likes_count"),
        F.sum((F.size("difficulty_cues") > 0).cast("long")).alias("difficulty"),
        F.sum((F.size("highlight_cues") > 0).cast("long")).alias("highlight"),
        as_int("without_feedback").alias("without_feedback"),
        as_int("adopted").alias("adopted"),
        as_int("instructed").alias("instructed"),
        F.min("submitted_at").alias("first"),
        F.max("submitted_at").alias("last"),
        F.min("id").alias("first_id"),
    ).collect()
    other = a.filter(F.col("topic").isNull()).count()

    # Fetched a partition at a time (each under spark.driver.maxResultSize): the sums are
    # bounded by topics x the model's vocabulary, which does not grow with the input, but
    # may exceed one job's result limit.
    def grouped(df, key, value):
        out = {}
        for r in df.toLocalIterator():
            out.setdefault(r["topic"], {})[r[key]] = r[value]
        return out

    cues = grouped(
        members.select("topic", F.explode(F.concat("difficulty_cues", "highlight_cues")).alias("cue"))
        .groupBy("topic", "cue").count(), "cue", "count")
    sectors = grouped(
        members.filter(F.col("sector") != "").groupBy("topic", "sector").count(), "sector", "count")
    months = grouped(
        members.filter(F.col("month").isNotNull()).groupBy("topic", "month").count(), "month", "count")
    weeks = grouped(
        members.filter(F.col("week").isNotNull()).groupBy("topic", "week").count(), "week", "count")
    terms = grouped(
        members.select("topic", F.explode("terms").alias("t"))
        .select("topic", F.col("t")[0].cast("long").alias("term"), F.col("t")[1].alias("c"))
        .groupBy("topic", "term").agg(F.sum("c").alias("c")), "term", "c")
    # Phrases held by two members or more (the label needs no others), the most frequent
    # PHRASES_PER_TOPIC of each topic (ranked among the topic's phrase counts, not its
    # items), and how many of all analysed items hold each.
    by_count = Window.partitionBy("topic").orderBy(F.col("count").desc(), F.col("phrase"))
    topic_phrases = (members.select("topic", F.explode("phrases").alias("phrase"))
                     .groupBy("topic", "phrase").count().filter(F.col("count") >= 2)
                     .withColumn("r", F.row_number().over(by_count))
                     .filter(F.col("r") <= PHRASES_PER_TOPIC).drop("r"))
    phrases = grouped(topic_phrases, "phrase", "count")
    df = (a.select(F.explode("phrases").alias("phrase")).groupBy("phrase").count()
          .join(topic_phrases.select("phrase").distinct(), "phrase"))
    phrase_df = {r["phrase"]: r["count"] for r in df.toLocalIterator()}
    # The most typical members: a top-k per topic combined by key (each partition keeps its
    # own k, then the k of the k's), never a sort of all members.
    k = REPRESENTATIVE_CANDIDATES
    reps = dict(
        members.select("topic", "similarity", "id", "title", "submitted_at", "submitter", "sector")
        .rdd.map(lambda r: (r["topic"], (r["similarity"], r["id"], r["title"],
                                        r["submitted_at"], r["submitter"], r["sector"])))
        .aggregateByKey([], lambda acc, row: top_k(acc + [row], k),
                        lambda x, y: top_k(x + y, k))
        .collect())
    topics = []
    for r in base:
        t = r["topic"]
        topics.append({
            "topic": t,
            "tally": {
                "size": r["size"], "recent": r["recent"], "previous": r["previous"],
                "submitters": r["submitters"], "sectors": 0, "months_active": 0,
                "likes_sum": r["likes_sum"], "likes_count": r["likes_count"],
                "difficulty": r["difficulty"], "highlight": r["highlight"],
                "without_feedback": r["without_feedback"], "adopted": r["adopted"],
                "instructed": r["instructed"], "cue_counts": cues.get(t, {}),
            },
            "sectors": sectors.get(t, {}),
            "months": months.get(t, {}),
            "weeks": weeks.get(t, {}),
            "first": r["first"], "last": r["last"],
            "terms": {str(k): v for k, v in terms.get(t, {}).items()},
            "phrases": phrases.get(t, {}),
            "representatives": [
                {"id": i, "title": title, "submitted_at": at, "submitter": who, "sector": sector}
                for (_, i, title, at, who, sector) in reps.get(t, [])],
            "first_id": r["first_id"],
        })
    return {"items": n, "first": first, "latest": latest, "topics": topics,
            "other": other, "assignments": "assignments", "phrase_df": phrase_df}


NAMES = T.StructType([
    T.StructField("id", T.StringType()),
    T.StructField("names", T.ArrayType(T.ArrayType(T.StringType()))),
    T.StructField("copies", T.ArrayType(T.StringType())),
    T.StructField("at", T.LongType()),
    # Kept as its JSON text: it travels to `minyi problems pairs` as written.
    T.StructField("row", T.StringType()),
])

PAIRS = "a string, b string, dup boolean, star boolean"


def problem_settings(local):
    """[problems] of the settings minyi runs with (its defaults unless --config)."""
    import tomllib
    cmd = [local.minyi, "config"] + (["--check", local.config] if local.config else [])
    text = subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8")
    return tomllib.loads(text).get("problems", {})


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


def components(spark, edges, one_task_below, stage):
    """Connected components of the undirected graph `edges` (a, b): (node, label), each
    node labelled with the smallest node of its component. Up to `one_task_below` edges
    (a bound, not a share of the input), by union-find in one task; above, by label
    propagation with pointer jumping (a node takes its label's label, so chains halve each
    round), each round costing a few seconds of scheduling whatever the graph's size."""
    edges = edges.persist()
    if edges.count() <= one_task_below:
        stage["rounds"] = 0
        found = edges.rdd.map(lambda r: (r["a"], r["b"])).coalesce(1).mapPartitions(union_find)
        return spark.createDataFrame(found, "node string, label string").localCheckpoint()
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(max(8, 2 * sc_partitions(spark))))
    labels = (edges.select(F.col("a").alias("node")).union(edges.select(F.col("b").alias("node")))
              .distinct().withColumn("label", F.col("node")).localCheckpoint())
    for rounds in range(1, 101):
        msgs = (edges.join(labels.withColumnRenamed("node", "a"), "a")
                .select(F.col("b").alias("node"), "label")
                .union(edges.join(labels.withColumnRenamed("node", "b"), "b")
                       .select(F.col("a").alias("node"), "label")))
        hooked = labels.union(msgs).groupBy("node").agg(F.min("label").alias("label"))
        jumped = (hooked.join(hooked.select(F.col("node").alias("label"),
                                            F.col("label").alias("next")), "label", "left")
                  .select("node", F.least("label", F.coalesce("next", "label")).alias("label")))
        new = jumped.localCheckpoint()
        changed = (new.join(labels.withColumnRenamed("label", "old"), "node")
                   .filter(F.col("label") != F.col("old")).count())
        labels = new
        if changed == 0:
            break
    else:
        sys.exit("the pairs did not settle into components in 100 rounds")
    spark.conf.set("spark.sql.shuffle.partitions", partitions)
    stage["rounds"] = rounds
    return labels


def time_slices(spark, labels, sizes, pairs, named, most, stage):
    """Components of over `most` items cut into runs of consecutive items in time (undated
    first, then by id), k equal runs of at most `most` each, labelled `label#run`; the pairs
    (a, b, dup) whose items fall in different runs are dropped. The candidate pairs join
    items close in time (an object's next neighbours), so few cross a cut; a problem with
    items on both sides comes out as two. Rank in the component by a distributed sort, never
    a window over it. Returns (labels, sizes, pairs)."""
    over = sizes.filter(F.col("count") > most).select("label", F.col("count").alias("size"))
    stage["sliced_components"] = over.count()
    if stage["sliced_components"] == 0:
        stage["largest_linked"] = stage["largest_component"]
        return labels, sizes, pairs
    ordered = (labels.join(F.broadcast(over), "label")
               .join(named.select(F.col("id").alias("node"), "at"), "node")
               .orderBy("label", F.asc_nulls_first("at"), "node"))
    at = spark.createDataFrame(
        ordered.rdd.zipWithIndex().map(lambda x: (x[0]["node"], x[0]["label"], x[0]["size"],
                                                  x[1])),
        "node string, label string, size long, pos long")
    start = at.groupBy("label").agg(F.min("pos").alias("start"))
    runs = F.ceil(F.col("size") / F.lit(most))
    cut = (at.join(start, "label")
           .select("node", F.concat("label", F.lit("#"), F.floor(
               (F.col("pos") - F.col("start")) * runs / F.col("size")).cast("string"))
               .alias("label"))
           .localCheckpoint())
    labels = labels.join(F.broadcast(over.select("label")), "label", "left_anti").unionByName(
        cut.select("label", "node")).select("node", "label")
    run_a = cut.select(F.col("node").alias("a"), F.col("label").alias("run_a"))
    run_b = cut.select(F.col("node").alias("b"), F.col("label").alias("run_b"))
    runs_of = (pairs.join(run_a, "a", "left").join(run_b, "b", "left")
               .withColumn("across", F.col("run_a").isNotNull() & (F.col("run_a") != F.col("run_b")))
               .persist())
    across = runs_of.filter("across").groupBy("dup").count().collect()
    stage["pairs_across_cuts"] = sum(r["count"] for r in across)
    stage["dups_across_cuts"] = sum(r["count"] for r in across if r["dup"])
    pairs = runs_of.filter(~F.col("across")).select("a", "b", "dup")
    sizes = labels.groupBy("label").count().persist()
    stage["largest_linked"] = sizes.agg(F.max("count")).collect()[0][0]
    print(f"problems: {stage['sliced_components']} components of over {most:,} items cut by "
          f"time; {stage['pairs_across_cuts']:,} pairs across the cuts dropped (near-duplicates "
          f"{stage['dups_across_cuts']:,})", file=sys.stderr)
    return labels, sizes, pairs


def find_problems(spark, args, local, items, latest, dict_args, stage):
    """Problems across the whole input, with no sample (see src/engine/problems.rs).

    1. Executors list each item's names and their keys, its copy keys, time and TF-IDF row
       (`minyi problems keys`).
    2. Spark decides the object keys as src/problems/mod.rs `object_keys` does, by
       counting over all items: a tail is a key only when some item names it whole; a key
       ending more than `max_names_per_key` different names with fewer than 3 items per
       name names a kind of object. A shuffle of keys and counts, not of items.
    3. Each key's items (ids, times and rows, not texts) meet in one task, which pairs them
       as the local run does (`minyi problems pairs`): an object key's time neighbours of
       similar words, a copy key's near-duplicates (MinHash bands of the terms, cosine
       checked). Each task also links every paired item to the first item it is connected
       with there (stars).
    4. The components of the pairs are found from the stars (`components`); a component
       of over `--max-component` items is cut by time (`time_slices`). Only the items of
       components of at least `min_items` items move, whole components per task, with their
       pairs, where the local linkage and description run (`minyi problems find`).
    5. The problems are ranked by heat across all tasks (a distributed sort) and numbered.
    Returns (ranked problems as (JSON line, rank), membership (id, problem), term counts).
    """
    started = time.time()
    settings = problem_settings(local)
    if not settings.get("enabled", True):
        return None
    max_names = settings.get("max_names_per_key", 5)
    min_items = settings.get("min_items", 3)
    env = minyi_env(args)
    lines = items.select("line").rdd.map(lambda r: r["line"])
    named = spark.read.schema(NAMES).json(
        pipe(lines, [args.minyi, "problems", "keys", "--quiet", "--model",
                     "sparkfile:model.json"], env)).persist()
    pairs = (named.select("id", F.posexplode("names").alias("ni", "ks"))
             .select("id", "ni", F.col("ks")[0].alias("core"), F.explode("ks").alias("key")))
    cores = pairs.select(F.col("core").alias("key")).distinct().withColumn("is_core", F.lit(True))
    kept = (pairs.join(cores, "key", "left")
            .filter((F.col("key") == F.col("core")) | F.col("is_core").isNotNull())
            .groupBy("id", "key").agg(F.min_by("core", "ni").alias("core")))
    per_key = kept.groupBy("key").agg(F.countDistinct("core").alias("cores"),
                                      F.count(F.lit(1)).alias("n"))
    named_key = per_key.filter(~((F.col("cores") > max_names) & (F.col("n") < 3 * F.col("cores"))))
    item_keys = kept.join(named_key.select("key", "n"), "key").persist()
    # Each key's items (ids, times, rows) in one task, which pairs them: object keys named
    # by two items or more, copy keys shared.
    copies = named.select("id", F.explode("copies").alias("key"))
    shared = copies.groupBy("key").count().filter(F.col("count") >= 2).select("key")
    keyed = (item_keys.filter(F.col("n") >= 2).select("id", "key")
             .union(copies.join(shared, "key").select("id", "key"))
             .join(named.select("id", "at", "row"), "id")
             .repartition(sc_partitions(spark), "key").sortWithinPartitions("key")
             # {"key", "id", "at"} and the row's JSON text as it came.
             .select(F.concat(F.expr("substring(to_json(struct(key, id, at)), 1, "
                                     "length(to_json(struct(key, id, at))) - 1)"),
                              F.lit(',"row":'), F.col("row"), F.lit("}")).alias("r")))
    paired = (spark.read.schema(PAIRS).json(
        pipe(keyed.rdd.map(lambda r: r["r"]), [args.minyi, "problems", "pairs", "--quiet"], env))
        .select("a", "b", *[F.coalesce(c, F.lit(False)).alias(c) for c in ("dup", "star")])
        .persist())
    found_pairs = paired.filter(~F.col("star")).select("a", "b", "dup").distinct().persist()
    stage["pairs"] = found_pairs.count()
    stage["pairs_s"] = round(time.time() - started, 1)
    # Components from each task's stars (a task's chains are one hop each): the same
    # components as the pairs', in fewer rounds.
    labels = components(spark, paired.filter("star").select("a", "b"), args.one_task_pairs,
                        stage)
    stage["components_s"] = round(time.time() - started - stage["pairs_s"], 1)
    sizes = labels.groupBy("label").count().persist()
    stage["largest_component"] = sizes.agg(F.max("count")).collect()[0][0] or 0
    labels, sizes, found_pairs = time_slices(spark, labels, sizes, found_pairs, named,
                                             args.max_component, stage)
    group_of = (labels.join(sizes.filter(F.col("count") >= min_items), "label")
                .select(F.col("node").alias("id"), F.col("label").alias("group")))
    keys_of = item_keys.groupBy("id").agg(F.sort_array(F.collect_list("key")).alias("keys"))
    # Each pair goes with its first item.
    links = found_pairs.groupBy(F.col("a").alias("id")).agg(
        F.sort_array(F.collect_list(F.when(~F.col("dup"), F.col("b")))).alias("pairs"),
        F.sort_array(F.collect_list(F.when(F.col("dup"), F.col("b")))).alias("dups"))
    empty = F.array().cast("array<string>")
    routed = (items.select("id", "line").join(group_of, "id")
              .join(keys_of, "id", "left").join(links, "id", "left")
              .select("line", "group", *[F.coalesce(c, empty).alias(c)
                                         for c in ("keys", "pairs", "dups")])
              .repartition(sc_partitions(spark), "group").sortWithinPartitions("group", "id")
              .select(F.to_json(F.struct("line", "keys", "group", "pairs", "dups")).alias("r")))
    columns = items.select(
        F.max((F.get_json_object("line", "$.submitter") != "").cast("int")).alias("submitter"),
        F.max((F.get_json_object("line", "$.likes").isNotNull()
               | F.get_json_object("line", "$.dislikes").isNotNull()).cast("int")).alias("likes"),
        F.max((F.trim(F.get_json_object("line", "$.feedback")) != "").cast("int")).alias("feedback"),
    ).collect()[0]
    present = ",".join(c for c in ("submitter", "likes", "feedback") if columns[c])
    found = pipe(routed.rdd.map(lambda r: r["r"]),
                 [args.minyi, "problems", "find", "--quiet", "--model", "sparkfile:model.json",
                  *latest, *(["--columns", present] if present else []), *dict_args], env)
    problems = (spark.createDataFrame(found.map(lambda l: (l,)), "p string")
                .select("p",
                        F.get_json_object("p", "$.heat.index").cast("double").alias("heat"),
                        F.get_json_object("p", "$.size").cast("long").alias("size"),
                        F.from_json(F.get_json_object("p", "$.item_ids"),
                                    "array<string>").alias("ids"))
                .persist())  # ranked and summed: the tasks run once
    # Hottest first; ties by size, then by the members (as src/problems/describe.rs).
    ranked = (problems.orderBy(F.desc("heat"), F.desc("size"), F.asc("ids")).rdd
              .zipWithIndex().map(lambda x: (x[0]["p"], x[0]["ids"], x[1] + 1)).persist())
    ranked.count()
    stage["find_s"] = round(time.time() - started - stage["pairs_s"] - stage["components_s"], 1)
    membership = spark.createDataFrame(
        ranked.flatMap(lambda x: [(i, "P%d" % x[2]) for i in x[1]]), "id string, problem string")
    # Term counts over all problems, for weighing the listed ones' keywords (bounded by the
    # vocabulary).
    terms = {str(r["term"]): r["c"] for r in (
        problems.select(F.explode(F.from_json(F.get_json_object("p", "$.terms"),
                                              "array<array<double>>")).alias("t"))
        .select(F.col("t")[0].cast("long").alias("term"), F.col("t")[1].alias("c"))
        .groupBy("term").agg(F.sum("c").alias("c")).toLocalIterator())}
    return ranked, membership, terms


def sc_partitions(spark):
    return max(spark.sparkContext.defaultParallelism, 1)


def strip_derived(line):
    """A segmented line as the item it was: without what `minyi segment` added."""
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


def main(argv):
    args = parse_args(argv)
    spark = SparkSession.builder.appName("minyi topics").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    out = out_uri(args.out).rstrip("/")
    started = time.time()
    timings = {}
    driver_bytes = 0  # what the driver receives: the sample's lines and the sums
    # Executors resolve relative paths in their own working directory (where --archives
    # unpack); the driver resolves them with `resolve`.
    dict_args = ["--dict", args.dict] if args.dict else []
    map_args = [a for m in args.map for a in ("--map", m)]
    local = argparse.Namespace(**vars(args))
    local.minyi, local.config = resolve(args.minyi), resolve(args.config)
    local_dict = ["--dict", resolve(args.dict)] if args.dict else []

    # 1. Segment on the executors.
    lines = input_lines(spark, args)
    if args.partitions:
        lines = lines.repartition(args.partitions)
    segmented = pipe(lines, [args.minyi, "segment", "--quiet", "--sample-seed", str(args.seed),
                             *dict_args, *map_args], minyi_env(args))
    rows = spark.createDataFrame(segmented.map(lambda l: (l,)), "line string")
    rows = rows.withColumn("rejected", F.col("line").startswith('{"rejected"')).persist()
    items = rows.filter(~F.col("rejected")).select(
        "line",
        F.get_json_object("line", "$.id").alias("id"),
        F.get_json_object("line", "$.submitted_at").alias("submitted_at"),
        F.get_json_object("line", "$.sample_key").alias("sample_key"),
    ).withColumn("ts", F.to_timestamp("submitted_at"))
    rejected = rows.filter(F.col("rejected")).select("line")
    rejected.write.mode("overwrite").text(out + "/rejects")
    n_rejected = rejected.count()
    stats = items.agg(F.count(F.lit(1)).alias("n"),
                      F.countDistinct("id").alias("ids"),
                      F.min_by("submitted_at", "ts").alias("first"),
                      F.max_by("submitted_at", "ts").alias("latest")).collect()[0]
    n = stats["n"]
    if n == 0:
        sys.exit("no items: every input line was rejected (see rejects/)")
    if stats["ids"] != n:
        dup = [r["id"] for r in items.groupBy("id").count().filter(F.col("count") > 1)
               .select("id").limit(5).collect()]
        sys.exit(f"{n - stats['ids']} items share an id with another (e.g. {', '.join(dup)}); "
                 "ids must be unique (a CSV with line breaks in cells must not be read with "
                 "--single-line-csv)")
    timings["segment_s"] = round(time.time() - started, 1)

    # 2. The sample, clustered on the driver by minyi itself.
    t0 = time.time()
    work = tempfile.mkdtemp(prefix="minyi-spark-")
    sample_path = os.path.join(work, "sample.jsonl")
    with open(sample_path, "w", encoding="utf-8") as f:
        sample, key_bytes = sample_lines(items, n, args.sample_size, args.seed)
        driver_bytes += key_bytes
        # The item as ingest reads it: the terms, places and key are recomputed (stripped on
        # the executors, so that half as many bytes reach the driver).
        for line in sample.rdd.map(lambda r: strip_derived(r["line"])).toLocalIterator():
            driver_bytes += len(line.encode("utf-8"))
            f.write(line + "\n")
    sample_index = os.path.join(work, "index")
    run_minyi(local, "ingest", sample_path, "--index", sample_index, *local_dict,
              stdout=subprocess.DEVNULL)
    model_path = os.path.join(work, "model.json")
    population = ["--sample-of", str(n)] if n > args.sample_size else []
    sample_topics = os.path.join(work, "sample_topics.json")
    with open(sample_topics, "wb") as f:
        run_minyi(local, "topics", "--index", sample_index, "--seed", str(args.seed),
                  "--save-model", model_path, *population, "--format", "json", stdout=f)
    copy_to(spark, model_path, out + "/model.json")
    copy_to(spark, sample_topics, out + "/sample_topics.json")
    timings["cluster_sample_s"] = round(time.time() - t0, 1)

    # 3. Assign every item on the executors.
    t0 = time.time()
    sc.addFile(model_path)
    latest = ["--latest", stats["latest"]] if stats["latest"] else []
    assigned_lines = pipe(items.select("line").rdd.map(lambda r: r["line"]),
                          [args.minyi, "assign", "--quiet", "--model", "sparkfile:model.json",
                           *latest, *dict_args], minyi_env(args))
    assigned = spark.read.schema(ASSIGNMENT).json(assigned_lines).persist()

    # 4. Per-topic sums.
    sums = tallies(assigned, n, stats["first"], stats["latest"])
    timings["assign_and_sum_s"] = round(time.time() - t0, 1)

    # 5. Problems across the whole input, ranked by heat; the hottest are listed.
    t0 = time.time()
    timings["problem_stages"] = stage = {}
    found = find_problems(spark, args, local, items, latest, dict_args, stage)
    membership, n_problems = None, 0
    if found is not None:
        ranked, membership, terms = found
        n_problems = ranked.count()
        sums["problem_terms"], sums["problem_count"] = terms, n_problems
        # The hottest, without their members (those are in the assignments' `problem`).
        listed = (ranked.filter(lambda x: x[2] <= args.problems_listed)
                  .map(lambda x: (x[2], {**json.loads(x[0]), "item_ids": []})).toLocalIterator())
        sums["problems"] = [p for _, p in sorted(listed, key=lambda x: x[0])]
    timings["problems_s"] = round(time.time() - t0, 1)

    # 6. minyi describes and scores the sums.
    t0 = time.time()
    tallies_path = os.path.join(work, "tallies.json")
    with open(tallies_path, "w", encoding="utf-8") as f:
        json.dump(sums, f, ensure_ascii=False)
    driver_bytes += os.path.getsize(tallies_path)
    topics_path = os.path.join(work, "topics.json")
    run_minyi(local, "describe", "--model", model_path, "--tallies", tallies_path,
              "--out", topics_path, *local_dict)
    with open(topics_path, encoding="utf-8") as f:
        report = json.load(f)
    copy_to(spark, topics_path, out + "/topics.json")

    # 7. Each item's theme (the topic ids of topics.json; null: 其他) and problem (P1 is the
    # hottest; null: none), written by Spark.
    theme_of = spark.createDataFrame(
        [(t["model_topic"], t["id"]) for t in report["topics"]], "topic long, theme long")
    rows = assigned.join(F.broadcast(theme_of), "topic", "left")
    if membership is not None:
        rows = rows.join(membership, "id", "left")
    else:
        rows = rows.withColumn("problem", F.lit(None).cast("string"))
    (rows.select("id", "theme", "problem", "similarity")
     .write.mode("overwrite").parquet(out + "/assignments"))
    timings["describe_and_write_s"] = round(time.time() - t0, 1)
    placed = sum(t["size"] for t in report["topics"]) + report["other"]["size"]
    summary = {
        "read": n + n_rejected, "items": n, "rejected": n_rejected,
        "sampled": min(n, args.sample_size), "topics": len(report["topics"]),
        "in_topics": placed - report["other"]["size"], "other": report["other"]["size"],
        "problems": n_problems,
        "problems_listed": sum(len(t["problems"]) for t in report["topics"])
        + len(report["other"]["problems"]),
        "workers_cores": sc.defaultParallelism, "seconds": round(time.time() - started, 1),
        "driver_bytes": driver_bytes, **timings,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    write_file(spark, out + "/summary.json", text.encode("utf-8"))
    print(json.dumps(summary, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)
    spark.stop()
    if placed != n:
        sys.exit(f"{n} items but {placed} placed in topics and 其他")


if __name__ == "__main__":
    main(sys.argv[1:])
