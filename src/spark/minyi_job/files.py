"""The input as JSON lines, and the outputs written through Spark's file systems."""

import os

from pyspark import SparkFiles
from pyspark.sql import functions as F

from . import SparkJobError


def input_format(args):
    """--format, or the one the first input path's extension names."""
    if args.format:
        return args.format
    ext = os.path.splitext(args.input[0].rstrip("/"))[1].lower()
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}.get(ext)
    if fmt is None:
        raise SparkJobError(f"cannot tell the format of {args.input[0]}; give --format")
    return fmt


def input_lines(spark, args):
    """The input as JSON lines (one item per line, column names as keys)."""
    fmt = input_format(args)
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
