#!/usr/bin/env bash
# Spark at scale (issue 36): the job once per size (default 1M, 3M and 10M items built from
# the news articles as the scale bench builds them) on a standalone cluster of 2 workers,
# the driver held to 1 GB and 32 MB of results as in CI. Per size: the wall time of each
# stage, the driver's peak RSS (the largest process spark-submit waited for: the driver
# JVM or its Python), the bytes the driver received (the sample's lines and the sums), and
# the problems found — what must stay flat while the input grows — and how many of 20
# problems planted among the items (13,500 items, tests/spark/plant.py) come out whole.
#
#   MINYI_BIN=path/to/minyi benches/spark_scale.sh     # needs pyspark, Java, ../shared/datasets
#
# MINYI_SPARK_SIZES ("1000000 3000000 10000000"), MINYI_SCALE_DIR (/tmp/minyi-scale, keeps the
# corpora), MINYI_SPARK_MEMORY (per worker, 5g). Without MINYI_BIN, minyi is built in release.
# The input is read in partitions of 100,000 items (16 at least), as src/spark/README.md advises.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${MINYI_SPARK_SIZES:-1000000 3000000 10000000}"
dir="${MINYI_SCALE_DIR:-/tmp/minyi-scale}"
memory="${MINYI_SPARK_MEMORY:-5g}"
mkdir -p "$dir"
if [ -n "${MINYI_BIN:-}" ]; then
  bin="$MINYI_BIN"
else
  cargo build --release --bin minyi
  bin="${CARGO_TARGET_DIR:-$PWD/target}/release/minyi"
fi
python3 -c 'import pyspark' || { echo "pyspark is not importable by python3" >&2; exit 1; }
work=$(mktemp -d -p "$dir")
trap 'src/spark/cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "| items | seconds | segment | sample | assign+sums | problems | describe+write | driver peak RSS | driver received | topics | problems |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in $sizes; do
  csv="$dir/scale_$n.csv"
  [ -s "$csv" ] || MINYI_SCALE_DIR="$dir" MINYI_SCALE_ITEMS="$n" MINYI_SCALE_CORPUS_ONLY=1 \
    cargo bench --profile dev --bench scale > /dev/null
  jsonl="$dir/scale_$n.jsonl"
  [ -s "$jsonl" ] || python3 -c 'import csv, json, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")' "$csv" "$jsonl"
  # 20 problems of 200-1,150 items planted among the items (tests/spark/plant.py): how many
  # come out whole, whatever the size.
  planted="$dir/scale_${n}_planted.jsonl"
  [ -s "$planted" ] && [ -s "$dir/truth_$n.json" ] || python3 tests/spark/plant.py \
    --background "$jsonl" --out "$planted" --truth "$dir/truth_$n.json" >&2
  python3 -m zipfile -c "$work/minyi_job.zip" src/spark/minyi_job
  src/spark/cluster.sh start 2 1 "$memory" > /dev/null
  /usr/bin/time -v -o "$work/time_$n.txt" spark-submit --master spark://127.0.0.1:7077 \
    --driver-memory 1g --conf spark.driver.maxResultSize=32m --conf spark.executor.memory="$memory" \
    --py-files "$work/minyi_job.zip" src/spark/minyi_spark.py --input "$planted" --out "$work/out_$n" --minyi "$bin" \
    --partitions $(( n / 100000 > 16 ? n / 100000 : 16 )) \
    2> "$work/spark_$n.log" > /dev/null || { tail -n 40 "$work/spark_$n.log" >&2; exit 1; }
  src/spark/cluster.sh stop
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$work/time_$n.txt")
  python3 - "$work/out_$n/summary.json" "$n" "$rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"| {int(sys.argv[2]):,} | {s['seconds']:.0f} | {s['segment_s']:.0f} | {s['cluster_sample_s']:.0f} | "
      f"{s['assign_and_sum_s']:.0f} | {s['problems_s']:.0f} | {s['describe_and_write_s']:.0f} | {sys.argv[3]} | "
      f"{s['driver_bytes'] / 2**20:.1f} MB | {s['topics']} | {s['problems']:,} |")
print(f"problem stages at {int(sys.argv[2]):,}: {json.dumps(s['problem_stages'])}", file=sys.stderr)
PY
  python3 tests/spark/check.py --spark "$work/out_$n/topics.json" --summary "$work/out_$n/summary.json" \
    --planted "$dir/truth_$n.json" --min-found 0 >&2
done
