"""Blocking and scoring on Spark (`identity.backend: spark`), through Splink's SparkAPI.

Why only this part: blocking and scoring every candidate pair is the quadratic-ish work that
outgrows one machine; everything around it is linear in the records and stays where it was.
The matching input (already built in the session's DuckDB) is shipped to Spark, scored with
settings rebuilt for Spark SQL (`spark_settings.py`) and the frozen term frequencies of the
model, and only the pairs at or above `link_floor` come back, as five columns. The caller
(`link.py`) then adds deterministic edges, clusters and assigns stable ids exactly as on DuckDB.
Training stays on DuckDB: it reads samples (u on `u_max_pairs` random pairs, EM on capped
blocks), so it does not grow with the data the way scoring does.

Why a checkpoint folder per run, deleted at the end: Splink writes its intermediate tables
(copies of the records, blocked pairs) there as parquet. They hold personal data, and a record
erased tonight must not survive in yesterday's scratch files.

Why pyspark is imported here only: it is an optional extra (`pip install -e ".[spark]"`), and
a DuckDB installation must not need it.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from typing import Any, Iterator

import duckdb
import pyarrow as pa

from cdp_pipeline.config import SparkSettings
from cdp_pipeline.identity.session import INPUT, Session
from cdp_pipeline.identity.settings import TF_COLUMNS
from cdp_pipeline.identity.spark_settings import spark_settings
from cdp_pipeline.identity.train import Model

log = logging.getLogger(__name__)

# For a session the pipeline starts itself; `identity.spark.conf` overrides them.
# 200 shuffle partitions (Spark's default) is for clusters: on local[2] it is mostly overhead.
DEFAULT_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.showConsoleProgress": "false",
}
PAIR_COLUMNS = ("record_id_l", "record_id_r", "match_weight", "match_probability", "match_key")


def _import_pyspark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError("identity.backend: spark needs pyspark: pip install -e '.[spark]'") from None
    return SparkSession


@contextmanager
def spark_session(cfg: SparkSettings) -> Iterator[Any]:
    """The active Spark session, else one started from `cfg`; a session started here is stopped after.

    An active session (Databricks, a notebook) is used as it is and not stopped: it is theirs.
    Under spark-submit the launcher already chose master, jars and settings (`--master`, `--jars`,
    `--conf`), and `cfg` must not override them: the session is created from those alone.
    """
    SparkSession = _import_pyspark()
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    if "PYSPARK_GATEWAY_PORT" in os.environ:  # set by spark-submit for a Python application
        builder = SparkSession.builder
    else:
        from splink.backends.spark import similarity_jar_location

        conf = {**DEFAULT_CONF, **{k: str(v) for k, v in cfg.conf.items()}}
        jars = [similarity_jar_location()] + [j for j in conf.pop("spark.jars", "").split(",") if j]
        builder = SparkSession.builder.master(cfg.master).appName(cfg.app_name).config("spark.jars", ",".join(jars))
        for key, value in conf.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        yield spark
    finally:
        spark.stop()


@contextmanager
def _scratch(spark: Any, root: str, run_id: str) -> Iterator[str]:
    """A checkpoint folder for this run under `root`, deleted afterwards (any Hadoop file system)."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(f"{root.rstrip('/')}/{run_id}")
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    spark.sparkContext.setCheckpointDir(path.toString())
    try:
        yield path.toString()
    finally:
        fs.delete(path, True)


def _to_spark(spark: Any, table: pa.Table) -> Any:
    if int(spark.version.split(".")[0]) >= 4:
        return spark.createDataFrame(table)
    return spark.createDataFrame(table.to_pandas())  # Spark 3.5: no Arrow tables in createDataFrame


def _to_arrow(df: Any) -> pa.Table:
    if hasattr(df, "toArrow"):  # Spark >= 4
        return df.toArrow()
    return pa.Table.from_pandas(df.toPandas(), preserve_index=False)


def score_on_spark(con: duckdb.DuckDBPyConnection, s: Session, model: Model, cfg: SparkSettings,
                   link_floor: float, run_id: str) -> tuple[pa.Table, int]:
    """Score every blocked pair of the session's records on Spark.

    Returns the pairs at or above `link_floor` (PAIR_COLUMNS, as Splink wrote them) and the
    number of blocked comparisons (a run metric).
    """
    from splink import Linker, SparkAPI

    settings = spark_settings(json.loads(model.path.read_text(encoding="utf-8")))
    with spark_session(cfg) as spark, _scratch(spark, cfg.checkpoint_dir, run_id):
        # Registers the jar's similarity UDFs. Parquet under the run's scratch folder, on Databricks
        # too (Splink's default there is Delta tables in the current schema, which nothing deletes).
        api = SparkAPI(spark_session=spark, break_lineage_method="parquet")
        records = api.register(_to_spark(spark, s.mem.execute(f"SELECT * FROM {INPUT}").to_arrow_table()),
                               table_name=INPUT)
        linker = Linker(records, settings, log_level=None)
        for column in TF_COLUMNS:
            # The frequencies frozen at training (train.py says why), never recomputed on Spark.
            tf = con.execute(
                f"SELECT value AS {column}, tf AS tf_{column} FROM identity.term_frequencies "
                "WHERE model_version = ? AND column_name = ?", [model.version, column]).to_arrow_table()
            linker.table_management.register_term_frequency_lookup(
                api.register(_to_spark(spark, tf), table_name=f"tf_{column}"), column)
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        comparisons = int(blocked.as_spark_dataframe().count())
        linker.table_management.register_blocked_pairs_for_predict(blocked)
        predictions = linker.inference.predict(threshold_match_probability=link_floor, warning_mode="never")
        pairs = _to_arrow(predictions.as_spark_dataframe().selectExpr(
            *PAIR_COLUMNS[:-1], "CAST(match_key AS STRING) AS match_key"))
    log.info("identity: %d comparisons scored on Spark, %d pairs at or above the link floor",
             comparisons, pairs.num_rows)
    return pairs, comparisons
