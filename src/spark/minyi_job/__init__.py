"""minyi's Spark job, shipped to the executors with --py-files; its steps: src/spark/README.md."""


class SparkJobError(Exception):
    """A reason the job stops: raised by its steps, turned into a message and exit code 1 by
    `minyi_job.main.main` alone."""
