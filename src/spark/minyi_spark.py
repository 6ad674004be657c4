"""minyi on Apache Spark: the script spark-submit runs. The job is the package minyi_job
beside it, which the executors import from a zip given with --py-files:

    python3 -m zipfile -c /tmp/minyi_job.zip src/spark/minyi_job
    spark-submit --master spark://HOST:7077 --py-files /tmp/minyi_job.zip src/spark/minyi_spark.py \\
        --input items.csv --out hdfs:///minyi/out --minyi /usr/local/bin/minyi

What it does, its options and outputs, and how to run it on YARN or Kubernetes:
src/spark/README.md.
"""

import sys

from minyi_job.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
