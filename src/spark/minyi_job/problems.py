"""Problems across the whole input, with no sample (src/spark/README.md, step 5)."""

import json
import os
import sys
import time

from pyspark import StorageLevel
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import SparkJobError
from .minyi import minyi_env, pipe, problem_settings, run_minyi
from .steps import union_find

NAMES = T.StructType([
    T.StructField("id", T.StringType()),
    T.StructField("names", T.ArrayType(T.ArrayType(T.StringType()))),
    T.StructField("copies", T.ArrayType(T.StringType())),
    T.StructField("at", T.LongType()),
    # Kept as its JSON text: it travels to `minyi problems pairs` as written.
    T.StructField("row", T.StringType()),
])

PAIRS = "a string, b string, dup boolean, star boolean"

# What the job reads of a problem `minyi problems find` writes (the line itself is kept: the
# listed problems go to `minyi describe` as written).
PROBLEM = T.StructType([
    T.StructField("heat", T.StructType([T.StructField("index", T.DoubleType())])),
    T.StructField("size", T.LongType()),
    T.StructField("item_ids", T.ArrayType(T.StringType())),
    T.StructField("terms", T.ArrayType(T.ArrayType(T.DoubleType()))),
])


def held(df, frames):
    """`df` persisted, and noted in `frames` for the caller to unpersist."""
    df = df.persist()
    frames.append(df)
    return df


def components(spark, edges, one_task_below, stage):
    """Connected components of the undirected graph `edges` (a, b): (node, label), each
    node labelled with the smallest node of its component. Up to `one_task_below` edges
    (a bound, not a share of the input), by union-find in one task; above, by label
    propagation with pointer jumping (a node takes its label's label, so chains halve each
    round), each round costing a few seconds of scheduling whatever the graph's size.
    The labels are checkpointed (computed before it returns)."""
    edges = edges.persist()
    try:
        if edges.count() <= one_task_below:
            stage["rounds"] = 0
            found = (edges.rdd.map(lambda r: (r["a"], r["b"])).coalesce(1)
                     .mapPartitions(union_find))
            return spark.createDataFrame(found, "node string, label string").localCheckpoint()
        return propagated(spark, edges, stage)
    finally:
        edges.unpersist()


def propagated(spark, edges, stage):
    """The labels of `components` by rounds of label propagation with pointer jumping."""
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(max(8, 2 * sc_partitions(spark))))
    try:
        labels = (edges.select(F.col("a").alias("node"))
                  .union(edges.select(F.col("b").alias("node")))
                  .distinct().withColumn("label", F.col("node")).localCheckpoint())
        for rounds in range(1, 101):
            msgs = (edges.join(labels.withColumnRenamed("node", "a"), "a")
                    .select(F.col("b").alias("node"), "label")
                    .union(edges.join(labels.withColumnRenamed("node", "b"), "b")
                           .select(F.col("a").alias("node"), "label")))
            hooked = labels.union(msgs).groupBy("node").agg(F.min("label").alias("label"))
            jumped = (hooked.join(hooked.select(F.col("node").alias("label"),
                                                F.col("label").alias("next")), "label", "left")
                      .select("node",
                              F.least("label", F.coalesce("next", "label")).alias("label")))
            new = jumped.localCheckpoint()
            changed = (new.join(labels.withColumnRenamed("label", "old"), "node")
                       .filter(F.col("label") != F.col("old")).count())
            labels = new
            if changed == 0:
                stage["rounds"] = rounds
                return labels
        raise SparkJobError("the pairs did not settle into components in 100 rounds")
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", partitions)


def time_slices(spark, labels, sizes, pairs, named, most, stage, frames):
    """Components of over `most` items cut into runs of consecutive items in time (undated
    first, then by id), k equal runs of at most `most` each, labelled `label#run`; the pairs
    (a, b, dup) whose items fall in different runs are dropped. The candidate pairs join
    items close in time (an object's next neighbours), so few cross a cut; a problem with
    items on both sides comes out as two. Rank in the component by a distributed sort, never
    a window over it. Returns (labels, sizes, pairs); what it persists is noted in `frames`."""
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
    runs_of = held(pairs.join(run_a, "a", "left").join(run_b, "b", "left")
                   .withColumn("across",
                               F.col("run_a").isNotNull() & (F.col("run_a") != F.col("run_b"))),
                   frames)
    across = runs_of.filter("across").groupBy("dup").count().collect()
    stage["pairs_across_cuts"] = sum(r["count"] for r in across)
    stage["dups_across_cuts"] = sum(r["count"] for r in across if r["dup"])
    pairs = runs_of.filter(~F.col("across")).select("a", "b", "dup")
    sizes = held(labels.groupBy("label").count(), frames)
    stage["largest_linked"] = sizes.agg(F.max("count")).collect()[0][0]
    print(f"problems: {stage['sliced_components']} components of over {most:,} items cut by "
          f"time; {stage['pairs_across_cuts']:,} pairs across the cuts dropped (near-duplicates "
          f"{stage['dups_across_cuts']:,})", file=sys.stderr)
    return labels, sizes, pairs


def find_problems(spark, args, local, items, latest, present, dict_args, rules, stage):
    """Problems across the whole input, with no sample, in the steps of src/spark/README.md
    (step 5). `items`: the segmented items (`id`, `line`); `present`: the optional columns
    some item fills; `rules`: model.json's. Returns None when [problems] is off, else (ranked
    problems as (JSON line, member ids, rank), persisted for the caller to unpersist;
    membership (id, problem); term counts)."""
    started = time.time()
    settings = problem_settings(local)
    if not settings.get("enabled", True):
        return None
    max_names = settings.get("max_names_per_key", 5)
    min_items = settings.get("min_items", 3)
    env = minyi_env(args)
    frames = []  # persisted here, unpersisted once the problems are ranked
    try:
        lines = items.select("line").rdd.map(lambda r: r["line"])
        named = held(spark.read.schema(NAMES).json(
            pipe(lines, [args.minyi, "problems", "keys", "--quiet", "--model",
                         "sparkfile:model.json"], env)), frames)
        # The object keys, as src/problems/mod.rs `object_keys` decides them over all items:
        # a tail is a key only when some item names it whole; a key ending more than
        # `max_names_per_key` names with fewer than the rules' items per name is generic.
        pairs = (named.select("id", F.posexplode("names").alias("ni", "ks"))
                 .select("id", "ni", F.col("ks")[0].alias("core"), F.explode("ks").alias("key")))
        cores = (pairs.select(F.col("core").alias("key")).distinct()
                 .withColumn("is_core", F.lit(True)))
        kept = (pairs.join(cores, "key", "left")
                .filter((F.col("key") == F.col("core")) | F.col("is_core").isNotNull())
                .groupBy("id", "key").agg(F.min_by("core", "ni").alias("core")))
        per_key = kept.groupBy("key").agg(F.countDistinct("core").alias("cores"),
                                          F.count(F.lit(1)).alias("n"))
        busy = rules.items_per_name_of_a_busy_key
        named_key = per_key.filter(~((F.col("cores") > max_names)
                                     & (F.col("n") < busy * F.col("cores"))))
        item_keys = held(kept.join(named_key.select("key", "n"), "key"), frames)
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
        paired = held(spark.read.schema(PAIRS).json(
            pipe(keyed.rdd.map(lambda r: r["r"]), [args.minyi, "problems", "pairs", "--quiet"],
                 env))
            .select("a", "b", *[F.coalesce(c, F.lit(False)).alias(c) for c in ("dup", "star")]),
            frames)
        found_pairs = held(paired.filter(~F.col("star")).select("a", "b", "dup").distinct(),
                           frames)
        stage["pairs"] = found_pairs.count()
        stage["pairs_s"] = round(time.time() - started, 1)
        # Components from each task's stars (a task's chains are one hop each): the same
        # components as the pairs', in fewer rounds.
        labels = components(spark, paired.filter("star").select("a", "b"), args.one_task_pairs,
                            stage)
        stage["components_s"] = round(time.time() - started - stage["pairs_s"], 1)
        sizes = held(labels.groupBy("label").count(), frames)
        stage["largest_component"] = sizes.agg(F.max("count")).collect()[0][0] or 0
        labels, sizes, found_pairs = time_slices(spark, labels, sizes, found_pairs, named,
                                                 args.max_component, stage, frames)
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
        found = pipe(routed.rdd.map(lambda r: r["r"]),
                     [args.minyi, "problems", "find", "--quiet", "--model", "sparkfile:model.json",
                      *latest, *(["--columns", present] if present else []),
                      *(["--members"] if args.registry else []), *dict_args], env)
        # Each problem's line parsed once; ranked and summed from the cache (the tasks run once).
        problems = held(spark.createDataFrame(found.map(lambda l: (l,)), "p string")
                        .select("p", F.from_json("p", PROBLEM).alias("j")), frames)
        # Hottest first; ties by size, then by the members (as src/problems/describe.rs).
        ranked = (problems.select("p", F.col("j.heat.index").alias("heat"),
                                  F.col("j.size").alias("size"), F.col("j.item_ids").alias("ids"))
                  .orderBy(F.desc("heat"), F.desc("size"), F.asc("ids")).rdd
                  .zipWithIndex().map(lambda x: (x[0]["p"], x[0]["ids"], x[1] + 1))
                  .persist(StorageLevel.MEMORY_AND_DISK))
        ranked.count()
        stage["find_s"] = round(time.time() - started - stage["pairs_s"] - stage["components_s"],
                                1)
        membership = spark.createDataFrame(
            ranked.flatMap(lambda x: [(i, "P%d" % x[2]) for i in x[1]]),
            "id string, problem string")
        # Term counts over all problems, for weighing the listed ones' keywords (bounded by the
        # vocabulary).
        terms = {str(r["term"]): r["c"] for r in (
            problems.select(F.explode("j.terms").alias("t"))
            .select(F.col("t")[0].cast("long").alias("term"), F.col("t")[1].alias("c"))
            .groupBy("term").agg(F.sum("c").alias("c")).toLocalIterator())}
        return ranked, membership, terms
    finally:
        for df in frames:
            df.unpersist()


def register(spark, local, ranked, latest, work):
    """Updates the problem registry file `local.registry` on the driver with the ranked
    problems (hottest first, each line with its members: `problems find --members`), so that
    each keeps the id it was registered under by an earlier run. The driver streams the
    problems to a file for `minyi problems register`, which holds the registry. Returns (what
    the update did, membership (id, problem, registered))."""
    found = os.path.join(work, "found_problems.jsonl")
    with open(found, "w", encoding="utf-8") as f:
        for line, _, _ in ranked.toLocalIterator():
            f.write(line + "\n")
    out = os.path.join(work, "registered.json")
    with open(found, "rb") as given, open(out, "wb") as written:
        run_minyi(local, "problems", "register", "--registry", local.registry, *latest,
                  stdin=given, stdout=written)
    with open(out, encoding="utf-8") as f:
        registered = json.load(f)
    ids = spark.sparkContext.broadcast(registered["ids"])
    membership = spark.createDataFrame(
        ranked.flatMap(lambda x: [(i, "P%d" % x[2], ids.value[x[2] - 1]) for i in x[1]]),
        "id string, problem string, registered string")
    return registered["update"], membership


def sc_partitions(spark):
    return max(spark.sparkContext.defaultParallelism, 1)
