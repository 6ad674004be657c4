"""Running the minyi binary: piped through on the executors, or once on the driver."""

import os
import subprocess
import sys
import tempfile
import threading

from pyspark import SparkFiles

from . import SparkJobError


def minyi_env(args):
    env = dict(os.environ)
    if args.config:
        env["MINYI_CONFIG"] = args.config
    # minyi parallelises within a process; Spark gives each task one core.
    env.setdefault("RAYON_NUM_THREADS", "1")
    return env


def pipe(rdd, command, env=None):
    """Streams each partition through a subprocess (one JSON line in, lines out), failing the
    task with the command's error output when it fails. An argument `sparkfile:NAME` is the
    local copy of a file shipped with `SparkContext.addFile`."""
    def run(lines):
        cmd = [SparkFiles.get(a[len("sparkfile:"):]) if a.startswith("sparkfile:") else a
               for a in command]
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=err, env=env)
            failed = []

            def feed():
                try:
                    for line in lines:
                        proc.stdin.write(line.encode("utf-8"))
                        proc.stdin.write(b"\n")
                except BrokenPipeError:
                    pass  # the command stopped reading: its exit status says why
                except BaseException as e:  # the task's input failed: so does the task
                    failed.append(e)
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            try:
                for out in proc.stdout:
                    yield out.decode("utf-8").rstrip("\n")
                writer.join()
                if failed:
                    raise failed[0]
                if proc.wait() != 0:
                    err.seek(0)
                    raise SparkJobError(
                        f"{' '.join(cmd)} failed: {err.read().decode('utf-8', 'replace')}")
            finally:
                if proc.poll() is None:  # the task stopped early: so does the command
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
    return rdd.mapPartitions(run)


def run_minyi(args, *cmd, stdin=None, stdout=None):
    """Runs `args.minyi CMD…` on the driver (with all its cores), its error output passed on;
    raises SparkJobError unless it succeeds."""
    full = [args.minyi, *cmd]
    env = minyi_env(args)
    env.pop("RAYON_NUM_THREADS", None)  # the driver's own steps use its cores
    try:
        r = subprocess.run(full, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env)
    except OSError as e:
        raise SparkJobError(f"cannot run {full[0]}: {e}") from e
    sys.stderr.write(r.stderr.decode("utf-8", "replace"))
    if r.returncode != 0:
        raise SparkJobError(f"{' '.join(full)} failed with exit code {r.returncode}")


def problem_settings(args):
    """[problems] of the settings minyi runs with (its defaults unless --config)."""
    import tomllib
    cmd = [args.minyi, "config"] + (["--check", args.config] if args.config else [])
    try:
        r = subprocess.run(cmd, capture_output=True)
    except OSError as e:
        raise SparkJobError(f"cannot run {cmd[0]}: {e}") from e
    if r.returncode != 0:
        raise SparkJobError(f"{' '.join(cmd)} failed with exit code {r.returncode}: "
                            f"{r.stderr.decode('utf-8', 'replace')}")
    return tomllib.loads(r.stdout.decode("utf-8")).get("problems", {})
