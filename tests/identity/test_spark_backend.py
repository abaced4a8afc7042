"""`identity.backend: spark`: the same links and customers as DuckDB, from the same model.

Why one warehouse for both runs: the DuckDB run trains the model, the Spark run reuses it (same
version, same frozen term frequencies), so any difference comes from the backend: a level that
Spark SQL reads differently, a UDF that disagrees with DuckDB's function, a lost blocking rule.
The Spark run needs Java and pyspark (`pip install -e '.[spark]'`) and is marked `spark`; the
settings translation and the config checks around it run everywhere, without a JVM.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from cdp_pipeline.config import ConfigError, load_config
from cdp_pipeline.identity.link import link
from cdp_pipeline.identity.settings import build_settings, candidate_blocking_rules
from cdp_pipeline.identity.spark_settings import SPARK_UDFS, ModelMismatch, spark_settings, to_spark_sql
from cdp_pipeline.runner import run_pipeline
from cdp_pipeline.synth import generate
from cdp_pipeline.warehouse import connect


def _spark_missing() -> str | None:
    if shutil.which("java") is None:
        return "no java on PATH: Spark needs a JVM (Java 17+ for Spark 4)"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark not installed: pip install -e '.[spark]'"
    return None


needs_spark = pytest.mark.skipif(_spark_missing() is not None, reason=str(_spark_missing()))
PERSONS = 800
WEIGHT_TOLERANCE = 1e-9


def _duckdb_model() -> dict:
    return build_settings(candidate_blocking_rules()).get_settings("duckdb").as_dict()


def test_every_level_and_rule_translates_to_spark_sql():
    model = _duckdb_model()
    conditions = [lvl["sql_condition"] for c in model["comparisons"] for lvl in c["comparison_levels"]]
    rules = [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]]
    for sql in conditions + rules:
        spark_sql = to_spark_sql(sql).lower()
        for duckdb_only in ("jaro_winkler_similarity(", "jaro_similarity(", "strftime(", '"'):
            assert duckdb_only not in spark_sql, (duckdb_only, spark_sql)
        for udf in SPARK_UDFS.values():  # every UDF call returns NULL on a NULL argument, as in DuckDB
            assert spark_sql.count(f" {udf}(") == spark_sql.count(f"else {udf}("), spark_sql


def test_spark_settings_take_the_numbers_of_the_model_and_refuse_other_levels():
    model = _duckdb_model()
    model["probability_two_random_records_match"] = 0.0123
    level = model["comparisons"][0]["comparison_levels"][1]
    level["m_probability"], level["u_probability"] = 0.9, 0.01
    settings = spark_settings(model)
    assert settings["sql_dialect"] == "spark"
    assert settings["probability_two_random_records_match"] == 0.0123
    assert settings["comparisons"][0]["comparison_levels"][1]["m_probability"] == 0.9
    assert len(settings["blocking_rules_to_generate_predictions"]) == len(candidate_blocking_rules())
    level["sql_condition"] = "first_name_std_l = first_name_std_r AND 1 = 1"
    with pytest.raises(ModelMismatch):
        spark_settings(model)


def test_spark_config_is_validated(make_config, tmp_path):
    cfg = load_config(make_config("""
        warehouse: wh.duckdb
        identity:
          backend: spark
          spark:
            master: spark://spark-master:7077
            conf: {spark.sql.shuffle.partitions: 64, spark.executor.memory: 8g}
            checkpoint_dir: hdfs://namenode/tmp/cdp
    """))
    assert cfg.identity.backend == "spark" and cfg.identity.spark.master == "spark://spark-master:7077"
    assert cfg.identity.spark.checkpoint_dir == "hdfs://namenode/tmp/cdp"  # a URL is left as it is
    assert cfg.identity.spark.conf["spark.sql.shuffle.partitions"] == 64
    local = load_config(make_config("warehouse: wh.duckdb\nidentity: {spark: {checkpoint_dir: scratch}}"))
    assert local.identity.backend == "duckdb" and local.identity.spark.master == "local[2]"
    assert local.identity.spark.checkpoint_dir == str(tmp_path / "scratch")
    bad = {
        "{spark: {mastr: 'local[4]'}}": "identity.spark: unknown key(s) mastr",
        "{spark: 'local[4]'}": "identity.spark: must be a mapping",
        "{spark: {conf: {sql.shuffle.partitions: 8}}}": "'sql.shuffle.partitions' is not a spark.* setting",
        "{spark: {conf: {spark.jars: [a.jar]}}}": "identity.spark.conf.spark.jars: must be",
        "{spark: {master: ''}}": "identity.spark.master: must be a non-empty string",
        "{backend: sparkk}": "'sparkk' is not duckdb or spark",
    }
    for identity, message in bad.items():
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_config(make_config(f"warehouse: wh.duckdb\nidentity: {identity}"))


def _state(con) -> tuple[dict, dict]:
    links = {(l, r): (w, p, k) for l, r, w, p, k in con.execute(
        "SELECT record_id_l, record_id_r, match_weight, match_probability, match_key FROM identity.record_links"
    ).fetchall()}
    xref = dict(con.execute("SELECT record_id, customer_id FROM identity.customer_xref").fetchall())
    return links, xref


def _pairs_together(xref: dict) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for record, customer in xref.items():
        members.setdefault(customer, []).append(record)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}


@pytest.mark.spark
@needs_spark
def test_spark_links_like_duckdb(tmp_path):
    demo = tmp_path / "demo"
    generate(demo, persons=PERSONS, seed=5)
    cfg = load_config(demo / "cdp.yaml")
    assert run_pipeline(cfg, '+key:"staging/identity_records"').success
    raw = yaml.safe_load((demo / "cdp.yaml").read_text(encoding="utf-8"))
    raw["identity"].update(backend="spark", spark={"master": "local[2]", "checkpoint_dir": "spark_scratch",
                                                   "conf": {"spark.sql.shuffle.partitions": 2}})
    (demo / "cdp_spark.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    spark_cfg = load_config(demo / "cdp_spark.yaml")
    with connect(cfg.warehouse) as con:
        on_duckdb = link(con, cfg, run_id="duckdb", charts=False)
        duck_links, duck_xref = _state(con)
        started = time.perf_counter()
        on_spark = link(con, spark_cfg, run_id="spark", mode="auto")
        seconds = time.perf_counter() - started
        spark_links, spark_xref = _state(con)
    print(f"spark link: {seconds:.1f}s for {on_spark['records']} records, {on_spark['comparisons']} comparisons")
    assert on_spark["backend"] == "spark" and on_spark["mode"] == "full"  # Spark runs are always full
    assert not on_spark["model_trained"] and on_spark["model_version"] == on_duckdb["model_version"]
    assert on_spark["comparisons"] == on_duckdb["comparisons"] > 0
    assert spark_links.keys() == duck_links.keys() and len(duck_links) > 100
    for pair, (weight, probability, key) in duck_links.items():
        s_weight, s_probability, s_key = spark_links[pair]
        assert s_key == key
        assert (weight is None and s_weight is None) or abs(weight - s_weight) <= WEIGHT_TOLERANCE, pair
        assert abs(probability - s_probability) <= WEIGHT_TOLERANCE, pair
    together_duck, together_spark = _pairs_together(duck_xref), _pairs_together(spark_xref)
    assert together_duck == together_spark, (len(together_duck ^ together_spark), len(together_duck))
    assert spark_xref == duck_xref and on_spark["redirects"] == 0  # same clusters, same customer ids
    scratch = Path(spark_cfg.identity.spark.checkpoint_dir)
    assert not scratch.exists() or not any(scratch.iterdir()), "Spark scratch files (personal data) were left"
