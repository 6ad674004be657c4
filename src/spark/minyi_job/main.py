"""The driver: the job's steps (src/spark/README.md) in order, and its one exit point."""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from . import SparkJobError
from .args import parse_args
from .files import copy_to, input_lines, out_uri, resolve, write_file
from .minyi import minyi_env, pipe, run_minyi
from .model import cluster_sample, read_rules
from .problems import find_problems, register
from .segment import item_stats, items as items_of, rejected as rejected_of, segment
from .topics import ASSIGNMENT, tallies


def main(argv):
    """Runs the job; returns its exit code. A SparkJobError is reported as its message (exit
    code 1); the temporary folder is removed and the session stopped however it ends."""
    args = parse_args(argv)
    spark = SparkSession.builder.appName("minyi topics").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    work = tempfile.mkdtemp(prefix="minyi-spark-")
    try:
        check_shipped(spark)
        run(spark, args, work)
    except SparkJobError as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
        spark.stop()
    return 0


def without_members(line):
    """A problem as `minyi describe` lists it: its member ids (in the assignments) and its
    messages for the registry (`--members`) left out."""
    p = json.loads(line)
    p.pop("members", None)
    return {**p, "item_ids": []}


def check_shipped(spark):
    """The executors import this package from the zip given with --py-files (in a cluster
    deploy mode, so does the driver); without it each of their tasks would fail."""
    if spark.sparkContext.getConf().get("spark.submit.pyFiles", "") or ".zip" in __file__:
        return
    raise SparkJobError("the executors need the job's package: zip it with `python3 -m zipfile "
                        "-c minyi_job.zip src/spark/minyi_job` and give it with `spark-submit "
                        "--py-files minyi_job.zip` (src/spark/README.md)")


def run(spark, args, work):
    """The job, with `work` a temporary folder on the driver; raises SparkJobError."""
    sc = spark.sparkContext
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
    local.registry = os.path.abspath(args.registry) if args.registry else None
    local_dict = ["--dict", resolve(args.dict)] if args.dict else []

    # 1. Segment on the executors.
    lines = input_lines(spark, args)
    if args.partitions:
        lines = lines.repartition(args.partitions)
    rows = segment(spark, args, lines, dict_args, map_args)
    items = items_of(rows)
    rejected = rejected_of(rows)
    rejected.write.mode("overwrite").text(out + "/rejects")
    n_rejected = rejected.count()
    stats = item_stats(items)
    n = stats["n"]
    if n == 0:
        raise SparkJobError("no items: every input line was rejected (see rejects/)")
    if stats["with_id"] != n:
        raise SparkJobError(f"minyi segment wrote {n - stats['with_id']} lines that are "
                            "neither an item with an id nor a rejected line")
    if stats["ids"] != n:
        dup = [r["id"] for r in items.groupBy("id").count().filter(F.col("count") > 1)
               .select("id").limit(5).collect()]
        raise SparkJobError(
            f"{n - stats['ids']} items share an id with another (e.g. {', '.join(dup)}); "
            "ids must be unique (a CSV with line breaks in cells must not be read with "
            "--single-line-csv)")
    present = ",".join(c for c in ("submitter", "likes", "feedback") if stats[c])
    timings["segment_s"] = round(time.time() - started, 1)

    # 2. The sample, clustered on the driver by minyi itself.
    t0 = time.time()
    model_path, sample_topics, received = cluster_sample(spark, local, items, n, work,
                                                         local_dict)
    driver_bytes += received
    rules = read_rules(model_path)
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
    sums = tallies(assigned, n, stats["first"], stats["latest"], rules)
    timings["assign_and_sum_s"] = round(time.time() - t0, 1)

    # 5. Problems across the whole input, ranked by heat; the hottest are listed.
    t0 = time.time()
    timings["problem_stages"] = stage = {}
    found = find_problems(spark, args, local, items, latest, present, dict_args, rules, stage)
    rows.unpersist()  # the segmented lines are read no more
    ranked, membership, n_problems = None, None, 0
    if found is not None:
        ranked, membership, terms = found
        n_problems = ranked.count()
        sums["problem_terms"], sums["problem_count"] = terms, n_problems
        if args.registry:
            registered, membership = register(spark, local, ranked, latest, work)
            copy_to(spark, local.registry, out + "/problems.json")
            timings["registry"] = {k: len(v) if k == "alerts" else v
                                   for k, v in registered.items()}
        # The hottest, without their members (those are in the assignments' `problem`).
        listed = (ranked.filter(lambda x: x[2] <= args.problems_listed)
                  .map(lambda x: (x[2], without_members(x[0]))).toLocalIterator())
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
    placed_rows = assigned.join(F.broadcast(theme_of), "topic", "left")
    if membership is not None:
        placed_rows = placed_rows.join(membership, "id", "left")
    else:
        placed_rows = placed_rows.withColumn("problem", F.lit(None).cast("string"))
    if args.registry and "registered" not in placed_rows.columns:
        placed_rows = placed_rows.withColumn("registered", F.lit(None).cast("string"))
    (placed_rows.select("id", "theme", "problem", *(["registered"] if args.registry else []),
                        "similarity")
     .write.mode("overwrite").parquet(out + "/assignments"))
    assigned.unpersist()
    if ranked is not None:
        ranked.unpersist()
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
    if placed != n:
        raise SparkJobError(f"{n} items but {placed} placed in topics and 其他")
