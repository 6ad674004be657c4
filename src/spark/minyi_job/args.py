"""The job's command line (src/spark/README.md, "Options and outputs")."""

import argparse


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
    p.add_argument("--registry", metavar="FILE",
                   help="a problem registry file on the driver (problems.json, as `minyi track` "
                   "keeps one in an index): read when it exists, updated with this run's "
                   "problems and written back, so that each problem keeps its id (P12) across "
                   "runs; the assignments get a `registered` column and the output a copy")
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
