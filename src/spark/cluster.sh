#!/usr/bin/env bash
# A Spark standalone cluster on this machine (127.0.0.1), for CI and the benchmark:
#   src/spark/cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY_PER_WORKER]
#   src/spark/cluster.sh stop
# Needs pyspark (pip) and a Java runtime. The master is spark://127.0.0.1:7077; logs and
# pids are under ${MINYI_SPARK_RUN:-/tmp/minyi-spark}.
set -euo pipefail
run="${MINYI_SPARK_RUN:-/tmp/minyi-spark}"
case "${1:-}" in
  start)
    home="${SPARK_HOME:-$(python3 -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
    export SPARK_LOCAL_IP=127.0.0.1 SPARK_HOME="$home"
    workers="${2:-1}" cores="${3:-1}" memory="${4:-2g}"
    mkdir -p "$run"
    if (exec 3<>/dev/tcp/127.0.0.1/7077) 2>/dev/null; then
      echo "something already listens on 127.0.0.1:7077 (another Spark master?); stop it first" >&2
      exit 1
    fi
    "$home/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port 7077 --webui-port 8080 > "$run/master.log" 2>&1 &
    echo $! > "$run/master.pid"
    for _ in $(seq 60); do grep -q "I have been elected leader" "$run/master.log" && break; sleep 1; done
    grep -q "I have been elected leader" "$run/master.log" || { cat "$run/master.log" >&2; exit 1; }
    for w in $(seq "$workers"); do
      mkdir -p "$run/work$w"
      "$home/bin/spark-class" org.apache.spark.deploy.worker.Worker spark://127.0.0.1:7077 \
        --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port $((8080 + w)) \
        --work-dir "$run/work$w" > "$run/worker$w.log" 2>&1 &
      echo $! > "$run/worker$w.pid"
    done
    for w in $(seq "$workers"); do
      for _ in $(seq 60); do grep -q "Successfully registered with master" "$run/worker$w.log" && break; sleep 1; done
      grep -q "Successfully registered with master" "$run/worker$w.log" || { cat "$run/worker$w.log" >&2; exit 1; }
    done
    echo "Spark master spark://127.0.0.1:7077 with $workers worker(s) of $cores core(s), $memory"
    ;;
  stop)
    for p in "$run"/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; rm -f "$p"; done
    sleep 2
    ;;
  *) echo "usage: $0 start [WORKERS] [CORES] [MEMORY] | stop" >&2; exit 2 ;;
esac
