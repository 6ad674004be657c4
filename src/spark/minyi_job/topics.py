"""Assignment on the executors and the per-topic sums `minyi describe` reads."""

from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.window import Window

from .steps import top_k

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


def tallies(assigned, n, first, latest, rules):
    """Per-topic sums of the assignments, in the shape `minyi describe` reads. What reaches
    the driver is bounded by topics x (vocabulary + phrases + representative candidates),
    whatever the number of items: no member id is collected. `rules`: model.json's."""
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
    # rules.phrases_per_topic of each topic (ranked among the topic's phrase counts, not its
    # items), and how many of all analysed items hold each.
    by_count = Window.partitionBy("topic").orderBy(F.col("count").desc(), F.col("phrase"))
    topic_phrases = (members.select("topic", F.explode("phrases").alias("phrase"))
                     .groupBy("topic", "phrase").count().filter(F.col("count") >= 2)
                     .withColumn("r", F.row_number().over(by_count))
                     .filter(F.col("r") <= rules.phrases_per_topic).drop("r"))
    phrases = grouped(topic_phrases, "phrase", "count")
    df = (a.select(F.explode("phrases").alias("phrase")).groupBy("phrase").count()
          .join(topic_phrases.select("phrase").distinct(), "phrase"))
    phrase_df = {r["phrase"]: r["count"] for r in df.toLocalIterator()}
    # The most typical members: a top-k per topic combined by key (each partition keeps its
    # own k, then the k of the k's), never a sort of all members.
    k = rules.representative_candidates
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
