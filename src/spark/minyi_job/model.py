"""The sample clustered on the driver by minyi, and the rules its model.json carries."""

import json
import os
import subprocess
from collections import namedtuple

from . import SparkJobError
from .minyi import run_minyi
from .steps import sample_lines, strip_derived

# The bounds minyi applies in its own sums, named once in Rust (EngineRules, src/engine/mod.rs)
# and written to model.json: the job reads them there, never retypes them.
Rules = namedtuple("Rules", ["representative_candidates", "phrases_per_topic",
                             "items_per_name_of_a_busy_key"])


def rules_of(model):
    """The `rules` of a model (model.json as a dict)."""
    rules = model.get("rules")
    if not isinstance(rules, dict):
        raise SparkJobError("the topic model has no `rules` (the bounds the job applies as "
                            "minyi does): --minyi is older than the job; use a minyi that "
                            "writes them")
    bad = [k for k in Rules._fields
           if not isinstance(rules.get(k), int) or isinstance(rules.get(k), bool)
           or rules[k] < 1]
    if bad:
        raise SparkJobError(f"the topic model's rules lack a positive {', '.join(bad)}")
    return Rules(**{k: rules[k] for k in Rules._fields})


def read_rules(path):
    """The rules of the model file at `path`."""
    with open(path, encoding="utf-8") as f:
        return rules_of(json.load(f))


def cluster_sample(spark, local, items, n, work, local_dict):
    """The sample local minyi would take, ingested into an index under `work` and clustered by
    `minyi topics --save-model`. Returns (model.json, the sample's topics, bytes the driver
    received)."""
    sample_path = os.path.join(work, "sample.jsonl")
    with open(sample_path, "w", encoding="utf-8") as f:
        sample, received = sample_lines(items, n, local.sample_size, local.seed)
        # The item as ingest reads it: the terms, places and key are recomputed (stripped on
        # the executors, so that half as many bytes reach the driver).
        for line in sample.rdd.map(lambda r: strip_derived(r["line"])).toLocalIterator():
            received += len(line.encode("utf-8"))
            f.write(line + "\n")
    sample_index = os.path.join(work, "index")
    run_minyi(local, "ingest", sample_path, "--index", sample_index, *local_dict,
              stdout=subprocess.DEVNULL)
    model_path = os.path.join(work, "model.json")
    population = ["--sample-of", str(n)] if n > local.sample_size else []
    sample_topics = os.path.join(work, "sample_topics.json")
    with open(sample_topics, "wb") as f:
        run_minyi(local, "topics", "--index", sample_index, "--seed", str(local.seed),
                  "--save-model", model_path, *population, "--format", "json", stdout=f)
    return model_path, sample_topics, received
