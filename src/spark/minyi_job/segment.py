"""Segmentation on the executors: each line `minyi segment` writes, parsed once."""

from pyspark.sql import functions as F
from pyspark.sql import types as T

from .minyi import minyi_env, pipe

# What the job reads of a line of `minyi segment`: an item, or {"rejected": {…}} for an input
# line that cannot become one. A field given as a string type holds the JSON text of any
# other value (a number, an object); a field the line lacks, or holds as null, is null.
SEGMENTED = T.StructType([
    T.StructField("rejected", T.StringType()),
    T.StructField("id", T.StringType()),
    T.StructField("submitted_at", T.StringType()),
    T.StructField("sample_key", T.StringType()),
    T.StructField("submitter", T.StringType()),
    T.StructField("likes", T.StringType()),
    T.StructField("dislikes", T.StringType()),
    T.StructField("feedback", T.StringType()),
])


def parse_segmented(spark, lines):
    """The lines (an RDD of strings) as rows of `line` (the text as written, which `minyi
    assign` and `minyi problems keys` read byte for byte, and rejects/ holds) and `j` (the line
    parsed with SEGMENTED). Persisted by the caller, the JSON is parsed once per line."""
    return (spark.createDataFrame(lines.map(lambda l: (l,)), "line string")
            .select("line", F.from_json("line", SEGMENTED).alias("j")))


def segment(spark, args, lines, dict_args, map_args):
    """Every input line through `minyi segment` on the executors, parsed; persisted (the
    caller unpersists it once the items are no longer read)."""
    segmented = pipe(lines, [args.minyi, "segment", "--quiet", "--sample-seed", str(args.seed),
                             *dict_args, *map_args], minyi_env(args))
    return parse_segmented(spark, segmented).persist()


def rejected(rows):
    """The lines that are not items, as minyi wrote them (with their reasons)."""
    return rows.filter(F.col("j.rejected").isNotNull()).select("line")


def items(rows):
    """The items: the line as written and the fields the job reads from it."""
    return (rows.filter(F.col("j.rejected").isNull())
            .select("line", *[F.col("j." + c).alias(c) for c in
                              ("id", "submitted_at", "sample_key", "submitter", "likes",
                               "dislikes", "feedback")])
            .withColumn("ts", F.to_timestamp("submitted_at")))


def item_stats(items):
    """Counts, the first and latest dates, and which optional columns some item fills (for
    `minyi problems find --columns`), in one pass over the items."""
    return items.agg(
        F.count(F.lit(1)).alias("n"),
        F.count("id").alias("with_id"),
        F.countDistinct("id").alias("ids"),
        F.min_by("submitted_at", "ts").alias("first"),
        F.max_by("submitted_at", "ts").alias("latest"),
        F.max((F.col("submitter") != "").cast("int")).alias("submitter"),
        F.max((F.col("likes").isNotNull() | F.col("dislikes").isNotNull()).cast("int"))
        .alias("likes"),
        F.max((F.trim(F.col("feedback")) != "").cast("int")).alias("feedback"),
    ).collect()[0]
