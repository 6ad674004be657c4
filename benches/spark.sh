#!/usr/bin/env bash
# Spark benchmark (issue 6): minyi's Spark job (src/spark/minyi_spark.py) on a standalone
# cluster of 1 and then 2 workers (one core each), beside local minyi (ingest + topics) on the
# same corpus: the 1,000,000 items the scale bench builds from the news articles.
#
#   benches/spark.sh            # needs pyspark importable by python3, Java, ../shared/datasets
#
# MINYI_SCALE_DIR=DIR keeps the corpus between runs (default /tmp/minyi-scale);
# MINYI_SCALE_ITEMS=N changes its size; MINYI_SPARK_WORKERS="1 2" the worker counts;
# MINYI_SPARK_MEMORY (per worker, default 5g). Figures go to standard output; the machine
# is noisy, so compare the runs of one invocation with each other (ratios), not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${MINYI_SCALE_ITEMS:-1000000}"
dir="${MINYI_SCALE_DIR:-/tmp/minyi-scale}"
workers="${MINYI_SPARK_WORKERS:-1 2}"
memory="${MINYI_SPARK_MEMORY:-5g}"
mkdir -p "$dir"
export MINYI_SCALE_DIR="$dir" MINYI_SCALE_ITEMS="$n"
csv="$dir/scale_$n.csv"
if [ ! -s "$csv" ]; then
  MINYI_SCALE_CORPUS_ONLY=1 cargo bench --bench scale
fi
# The same items as JSON lines for Spark: a CSV with line breaks in cells (this one has them)
# cannot be split, JSON lines can.
jsonl="$dir/scale_$n.jsonl"
if [ ! -s "$jsonl" ]; then
  python3 -c 'import csv, json, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")' "$csv" "$jsonl"
fi
if [ -n "${MINYI_BIN:-}" ]; then
  bin="$MINYI_BIN"
else
  cargo build --release --bin minyi
  bin="${CARGO_TARGET_DIR:-$PWD/target}/release/minyi"
fi
python3 -c 'import pyspark' || { echo "pyspark is not importable by python3" >&2; exit 1; }
work=$(mktemp -d)
trap 'src/spark/cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "# minyi on Spark — $n items ($(du -m "$csv" | cut -f1) MB CSV), $(nproc) cores here"

# Local minyi on the same file: ingest, then topics (sampled above 100,000 items).
t0=$(date +%s.%N)
"$bin" ingest "$csv" --index "$work/local" > /dev/null 2>&1
t1=$(date +%s.%N)
"$bin" topics --index "$work/local" --format json > "$work/local.json"
t2=$(date +%s.%N)
local_s=$(echo "$t2 - $t0" | bc)
printf 'local minyi: ingest %.1f s + topics %.1f s = %.1f s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$local_s"

# The job's package, shipped to the executors with --py-files (src/spark/README.md).
python3 -m zipfile -c "$work/minyi_job.zip" src/spark/minyi_job
for w in $workers; do
  src/spark/cluster.sh start "$w" 1 "$memory"
  s0=$(date +%s.%N)
  spark-submit --master spark://127.0.0.1:7077 --driver-memory 4g \
    --conf spark.executor.memory="$memory" --py-files "$work/minyi_job.zip" \
    src/spark/minyi_spark.py --input "$jsonl" --out "$work/spark$w" --minyi "$bin" \
    --partitions $((w * 8)) 2> "$work/spark$w.log" | tail -n 1
  s1=$(date +%s.%N)
  src/spark/cluster.sh stop
  spark_s=$(echo "$s1 - $s0" | bc)
  printf 'Spark, %s worker(s) × 1 core: %.1f s (spark-submit, including JVM start) — %.2f× local minyi\n' \
    "$w" "$spark_s" "$(echo "$local_s / $spark_s" | bc -l)"
  eval "spark_$w=$spark_s"
  python3 tests/spark/check.py --spark "$work/spark$w/topics.json" --summary "$work/spark$w/summary.json" \
    --local "$work/local.json" --labels "$csv" --label-column 类别 --id-column 编号 --max-nmi-drop 1
done
if [ -n "${spark_1:-}" ] && [ -n "${spark_2:-}" ]; then
  printf 'speed-up from 1 to 2 workers: %.2f×\n' "$(echo "$spark_1 / $spark_2" | bc -l)"
fi
