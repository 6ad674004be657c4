"""minyi on Apache Spark: segmentation and topic mining of items beyond one machine.

The job computes what local `minyi topics` computes on a set larger than its sample size,
with the work split where the data is:

1. Executors pipe their partitions through `minyi segment` (the same Rust segmenter,
   dictionary, cleaning and id derivation as `minyi ingest`). Lines that cannot become an
   item are kept, with their reasons, in `rejects.jsonl`.
2. The driver takes the sample local minyi would take (the items with the smallest
   `sample_key`, a hash of id and seed computed by minyi), ingests it into a temporary index
   and clusters it with `minyi topics --save-model --sample-of N`: the topic model holds the
   vocabulary, idf, each topic's centre, floor and sampled members.
3. Executors pipe their partitions through `minyi assign` with the model (shipped with
   `SparkContext.addFile`): each item's topic or 其他, its similarity to the centre, and what
   it adds to the topic's signals, terms and title phrases.
4. Spark sums these per topic (sizes, windows, distinct submitters, sectors, months, cues,
   term counts, phrase counts and document frequencies, the three items closest to the
   centre, member ids); the driver writes the sums and `minyi describe` turns them into
   `topics.json`, in the schema of `minyi topics --format json`, with the same keyword,
   label, signal and score definitions. `minyi report --topics topics.json` renders it.

Run (the `minyi` binary must be on every node at the same path, or on PATH):

    spark-submit --master spark://HOST:7077 src/spark/minyi_spark.py \\
        --input items.csv --out out/ --minyi /usr/local/bin/minyi

Outputs in --out: topics.json, model.json, sample_topics.json, rejects.jsonl, summary.json.
"""

import argparse
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
    p.add_argument("--out", required=True, help="output directory (created)")
    p.add_argument("--minyi", default="minyi",
                   help="path of the minyi binary on every node [default: minyi on PATH]")
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


def tallies(assigned, n, first, latest):
    """Per-topic sums of the assignments, in the shape `minyi describe` reads."""
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
        F.collect_list("id").alias("item_ids"),
    ).collect()

    def grouped(df, key, value):
        out = {}
        for r in df.collect():
            out.setdefault(r["topic"], {})[r[key]] = r[value]
        return out

    cues = grouped(
        members.select("topic", F.explode(F.concat("difficulty_cues", "highlight_cues")).alias("cue"))
        .groupBy("topic", "cue").count(), "cue", "count")
    sectors = grouped(
        members.filter(F.col("sector") != "").groupBy("topic", "sector").count(), "sector", "count")
    months = grouped(
        members.filter(F.col("month").isNotNull()).groupBy("topic", "month").count(), "month", "count")
    terms = grouped(
        members.select("topic", F.explode("terms").alias("t"))
        .select("topic", F.col("t")[0].cast("long").alias("term"), F.col("t")[1].alias("c"))
        .groupBy("topic", "term").agg(F.sum("c").alias("c")), "term", "c")
    # Phrases held by two members or more (the label needs no others), and how many of all
    # analysed items hold each.
    topic_phrases = (members.select("topic", F.explode("phrases").alias("phrase"))
                     .groupBy("topic", "phrase").count().filter(F.col("count") >= 2))
    phrases = grouped(topic_phrases, "phrase", "count")
    df = (a.select(F.explode("phrases").alias("phrase")).groupBy("phrase").count()
          .join(topic_phrases.select("phrase").distinct(), "phrase"))
    phrase_df = {r["phrase"]: r["count"] for r in df.collect()}
    rank = Window.partitionBy("topic").orderBy(F.col("similarity").desc(), F.col("id").asc())
    reps = {}
    # The 12 most typical members: describe shows three of them from different near-duplicate
    # groups (REPRESENTATIVE_CANDIDATES in src/topics/mod.rs).
    for r in (members.withColumn("rank", F.row_number().over(rank)).filter(F.col("rank") <= 12)
              .orderBy("topic", "rank").collect()):
        reps.setdefault(r["topic"], []).append({
            "id": r["id"], "title": r["title"], "submitted_at": r["submitted_at"],
            "submitter": r["submitter"], "sector": r["sector"]})
    other_ids = [r["id"] for r in a.filter(F.col("topic").isNull()).select("id").collect()]
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
            "first": r["first"], "last": r["last"],
            "terms": {str(k): v for k, v in terms.get(t, {}).items()},
            "phrases": phrases.get(t, {}),
            "representatives": reps.get(t, []),
            "item_ids": list(r["item_ids"]),
        })
    return {"items": n, "first": first, "latest": latest, "topics": topics,
            "other_ids": other_ids, "phrase_df": phrase_df}


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    spark = SparkSession.builder.appName("minyi topics").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    started = time.time()
    timings = {}
    dict_args = ["--dict", args.dict] if args.dict else []
    map_args = [a for m in args.map for a in ("--map", m)]

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
    n_rejected = rejected.count()
    with open(os.path.join(args.out, "rejects.jsonl"), "w", encoding="utf-8") as f:
        for r in rejected.toLocalIterator():
            f.write(r["line"] + "\n")
    stats = items.agg(F.count(F.lit(1)).alias("n"),
                      F.countDistinct("id").alias("ids"),
                      F.min_by("submitted_at", "ts").alias("first"),
                      F.max_by("submitted_at", "ts").alias("latest")).collect()[0]
    n = stats["n"]
    if n == 0:
        sys.exit("no items: every input line was rejected (see rejects.jsonl)")
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
    sample = items.orderBy("sample_key").limit(args.sample_size).select("line")
    with open(sample_path, "w", encoding="utf-8") as f:
        for r in sample.toLocalIterator():
            item = json.loads(r["line"])
            for k in ("places", "title_terms", "body_terms", "sample_key"):
                item.pop(k, None)
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    sample_index = os.path.join(work, "index")
    run_minyi(args, "ingest", sample_path, "--index", sample_index, *dict_args,
              stdout=subprocess.DEVNULL)
    model_path = os.path.join(args.out, "model.json")
    population = ["--sample-of", str(n)] if n > args.sample_size else []
    with open(os.path.join(args.out, "sample_topics.json"), "wb") as out:
        run_minyi(args, "topics", "--index", sample_index, "--seed", str(args.seed),
                  "--save-model", model_path, *population, "--format", "json", stdout=out)
    timings["cluster_sample_s"] = round(time.time() - t0, 1)

    # 3. Assign every item on the executors.
    t0 = time.time()
    sc.addFile(model_path)
    latest = ["--latest", stats["latest"]] if stats["latest"] else []
    assigned_lines = pipe(items.select("line").rdd.map(lambda r: r["line"]),
                          [args.minyi, "assign", "--quiet", "--model", "sparkfile:model.json",
                           *latest, *dict_args], minyi_env(args))
    assigned = spark.read.schema(ASSIGNMENT).json(assigned_lines).persist()

    # 4. Per-topic sums, then minyi describes and scores them.
    sums = tallies(assigned, n, stats["first"], stats["latest"])
    timings["assign_and_sum_s"] = round(time.time() - t0, 1)
    tallies_path = os.path.join(work, "tallies.json")
    with open(tallies_path, "w", encoding="utf-8") as f:
        json.dump(sums, f, ensure_ascii=False)
    topics_path = os.path.join(args.out, "topics.json")
    run_minyi(args, "describe", "--model", model_path, "--tallies", tallies_path,
              "--out", topics_path, *dict_args)
    with open(topics_path, encoding="utf-8") as f:
        report = json.load(f)
    placed = sum(t["size"] for t in report["topics"]) + report["other"]["size"]
    summary = {
        "read": n + n_rejected, "items": n, "rejected": n_rejected,
        "sampled": min(n, args.sample_size), "topics": len(report["topics"]),
        "in_topics": placed - report["other"]["size"], "other": report["other"]["size"],
        "workers_cores": sc.defaultParallelism, "seconds": round(time.time() - started, 1),
        **timings,
    }
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
    print(json.dumps(summary, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)
    spark.stop()
    if placed != n:
        sys.exit(f"{n} items but {placed} placed in topics and 其他")


if __name__ == "__main__":
    main(sys.argv[1:])
