"""Score, cluster and assign stable customer ids: the nightly identity run.

Why incremental by default: most nights only a small share of records is new or changed.
Those are scored against the unchanged ones (`predict_between`) and among themselves
(`predict_within`); edges between unchanged records are kept from `identity.record_links`.
Blocking is symmetric, so the union covers exactly the pairs a full run would score, and
clusters come out the same (tested). A run falls back to `full` when the model changed
(scores of different models must not be mixed) or when there is no previous run.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

import duckdb
import pyarrow as pa
from splink import Linker
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.config import Config
from cdp_pipeline.identity.cluster import cluster, trained_vetoes
from cdp_pipeline.identity.recluster import kept_customers, scope_changes, scope_everything
from cdp_pipeline.identity.explain import linkage_metrics, write_charts
from cdp_pipeline.identity.session import INPUT, Session, copy_in, open_session, registered
from cdp_pipeline.identity.settings import TF_COLUMNS
from cdp_pipeline.identity.stable_ids import Assignment, assign_customer_ids, next_sequence
from cdp_pipeline.identity.train import Model, ensure_model
from cdp_pipeline.phases import PhaseClock
from cdp_pipeline.warehouse import render_sql, run_sql_file, table_has_column, transaction

log = logging.getLogger(__name__)

EDGE_COLUMNS = "record_id_l, record_id_r, match_weight, match_probability, match_key, run_id"


def link(con: duckdb.DuckDBPyConnection, cfg: Config, run_id: str | None = None,
         mode: str = "auto", charts: bool = True) -> dict[str, Any]:
    """Resolve identities over `staging.identity_records`.

    Writes identity.record_links, identity.customer_xref, identity.record_hashes (replaced)
    and appends identity.customer_id_redirects (and identity.models when it trains).
    `mode`: `auto` (incremental when possible) or `full`. Returns metrics without personal data.
    With no input records nothing is written (mode `skipped`).
    With `identity.backend: spark` pairs are blocked and scored on Spark (spark_backend.py),
    always in full, and no charts are drawn (the predictions stay on the cluster); training,
    clustering and ids run here as on DuckDB.
    """
    if mode not in ("auto", "full"):
        raise ValueError(f"mode must be auto or full, got {mode!r}")
    if cfg.identity.match_threshold < cfg.identity.link_floor:
        raise ValueError("identity.match_threshold must be >= identity.link_floor")
    run_sql_file(con, "identity/tables.sql")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    run_id = run_id or now.strftime("%Y%m%dT%H%M%S%f")
    clock = PhaseClock()
    with open_session(con, cfg.identity) as s:
        if s.n_records == 0:
            # An empty input is a broken feed far more often than a customer base that left:
            # keep the previous identity tables rather than redirect every id to "removed".
            log.warning("identity: no input records; identity tables left as they were")
            return {"records": 0, "mode": "skipped"}
        clock.lap("input")
        model = ensure_model(con, s, cfg)
        clock.lap("train")
        predictions, comparisons = None, None  # incremental and Spark runs draw no charts (see below)
        if cfg.identity.backend == "spark":
            incremental = False
            comparisons = _score_on_spark(con, s, model, cfg, run_id)
        else:
            linker = Linker(s.records, str(model.path), log_level=None)
            _register_term_frequencies(con, s, linker, model)
            incremental = mode == "auto" and _previous_run_used(con, model)
            if incremental:
                _score_incremental(con, s, linker, cfg, run_id)
            else:
                predictions, comparisons = _score_full(s, linker, cfg, run_id)
        s.mem.execute(
            f"INSERT INTO edges SELECT *, $run_id FROM ({render_sql('identity/deterministic_edges.sql', input=INPUT)})",
            {"run_id": run_id},
        )
        clock.lap("predict")
        copy_in(con, s.mem, "SELECT record_id, customer_id, cluster_confidence FROM identity.customer_xref",
                "prev_xref")
        # Same model and threshold as last night: only the changes are clustered and written back.
        changes_only = incremental and _previous_threshold(con) == cfg.identity.match_threshold
        if changes_only:
            scope_changes(s.mem, cfg.identity.match_threshold)
        else:
            scope_everything(s.mem)
        kept_customers(s.mem)
        clusters = cluster(s, "edges", cfg.identity.match_threshold,
                           trained_vetoes(json.loads(model.path.read_text(encoding="utf-8"))))
        clock.lap("cluster")
        assignment = _assign_ids(con, s, clusters, cfg.identity.match_threshold)
        if changes_only:
            _write_changes(con, s, model, run_id, now, assignment, cfg.identity.match_threshold)
        else:
            _write_back(con, s, model, run_id, now, assignment, cfg.identity.match_threshold)
        clock.lap("ids")
        metrics = linkage_metrics(s.mem, clusters.physical_name, "edges", s.n_records, comparisons)
        metrics.update(mode="incremental" if incremental else "full", model_version=model.version,
                       model_trained=bool(model.blocking), blocking_rules=list(model.blocking),
                       redirects=len(assignment.redirects), backend=cfg.identity.backend,
                       reclustered=int(s.mem.execute("SELECT count(*) FROM recluster").fetchone()[0]))
        if charts and predictions is not None:
            metrics["artifacts"] = write_charts(linker, s, predictions, clusters, cfg.artifacts_dir)
        clock.lap("metrics")
    metrics.update(clock.figures())
    return metrics


def _register_term_frequencies(con: duckdb.DuckDBPyConnection, s: Session, linker: Linker, model: Model) -> None:
    """Score with the frequencies frozen at training (train.py says why), never recomputed ones."""
    for column in TF_COLUMNS:
        copy_in(con, s.mem,
                f"SELECT value AS {column}, tf AS tf_{column} FROM identity.term_frequencies "
                "WHERE model_version = ? AND column_name = ?", f"tf_{column}", [model.version, column])
        linker.table_management.register_term_frequency_lookup(s.register(f"tf_{column}"), column)


def _previous_run_used(con: duckdb.DuckDBPyConnection, model: Model) -> bool:
    versions = {v for (v,) in con.execute("SELECT DISTINCT model_version FROM identity.record_hashes").fetchall()}
    return versions == {model.version}


def _previous_threshold(con: duckdb.DuckDBPyConnection) -> float | None:
    """The match threshold last night's clusters were cut at (None: unknown or mixed)."""
    if not table_has_column(con, "identity.record_hashes", "match_threshold"):
        return None  # written by an older version: everything is clustered again
    values = con.execute("SELECT DISTINCT match_threshold FROM identity.record_hashes").fetchall()
    return values[0][0] if len(values) == 1 else None


def _edges_sql(table: str) -> str:
    """Normalise a Splink prediction table to record_links columns, smaller id on the left."""
    return f"""
        SELECT least(record_id_l, record_id_r) AS record_id_l,
               greatest(record_id_l, record_id_r) AS record_id_r,
               match_weight, match_probability, CAST(match_key AS VARCHAR) AS match_key,
               $run_id AS run_id
        FROM {table}"""


def _score_full(s: Session, linker: Linker, cfg: Config, run_id: str) -> tuple[SplinkDataFrame, int]:
    """Block once (the count is a run metric), then score exactly those pairs."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    comparisons = int(s.mem.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchone()[0])
    linker.table_management.register_blocked_pairs_for_predict(blocked)
    predictions = linker.inference.predict(
        threshold_match_probability=cfg.identity.link_floor, warning_mode="never"
    )
    s.mem.execute("CREATE OR REPLACE TABLE edges AS " + _edges_sql(predictions.physical_name), {"run_id": run_id})
    return predictions, comparisons


def _score_on_spark(con: duckdb.DuckDBPyConnection, s: Session, model: Model, cfg: Config, run_id: str) -> int:
    """Block and score on Spark; the pairs come back as this session's `edges` table."""
    from cdp_pipeline.identity.spark_backend import score_on_spark  # pyspark is an optional extra

    pairs, comparisons = score_on_spark(con, s, model, cfg.identity.spark, cfg.identity.link_floor, run_id)
    with registered(s.mem, "__spark_pairs", pairs):
        s.mem.execute("CREATE OR REPLACE TABLE edges AS " + _edges_sql("__spark_pairs"), {"run_id": run_id})
    return comparisons


def _score_incremental(con: duckdb.DuckDBPyConnection, s: Session, linker: Linker, cfg: Config,
                       run_id: str) -> None:
    """Score only pairs that involve a new or changed record; keep the other edges.

    No predictions table goes to the charts: it would hold only this night's pairs, and
    cluster studio would draw clusters with missing edges. Charts come with full runs.
    """
    copy_in(con, s.mem, "SELECT record_id, match_hash FROM identity.record_hashes", "prev_hashes")
    copy_in(con, s.mem, f"SELECT {EDGE_COLUMNS} FROM identity.record_links", "prev_links")
    s.mem.execute(f"""
        CREATE TABLE changed_records AS
        SELECT i.* FROM {INPUT} AS i LEFT JOIN prev_hashes AS p USING (record_id)
        WHERE p.match_hash IS DISTINCT FROM i.match_hash;
        CREATE TABLE unchanged_records AS
        SELECT i.* FROM {INPUT} AS i JOIN prev_hashes AS p USING (record_id)
        WHERE p.match_hash = i.match_hash;
        CREATE TABLE edges AS
        SELECT e.* FROM prev_links AS e
        JOIN unchanged_records AS l ON l.record_id = e.record_id_l
        JOIN unchanged_records AS r ON r.record_id = e.record_id_r
        WHERE e.match_key NOT LIKE 'deterministic:%';
    """)
    if s.mem.execute("SELECT count(*) FROM changed_records").fetchone()[0]:
        _score_changed(s, linker, cfg.identity.link_floor, run_id)


def _score_changed(s: Session, linker: Linker, floor: float, run_id: str) -> None:
    changed = s.register("changed_records")
    scored = [linker.inference.predict_within(changed, threshold_match_probability=floor, warning_mode="never")]
    if int(s.mem.execute("SELECT count(*) FROM unchanged_records").fetchone()[0]):
        scored.append(linker.inference.predict_between(
            s.register("unchanged_records"), changed, threshold_match_probability=floor, warning_mode="never"
        ))
    for predictions in scored:
        s.mem.execute("INSERT INTO edges " + _edges_sql(predictions.physical_name), {"run_id": run_id})


def _assign_ids(con: duckdb.DuckDBPyConnection, s: Session, clusters: SplinkDataFrame,
                threshold: float) -> Assignment:
    """Ids for the re-clustered scope (its records' and removed records' old ids are the only
    ones in play, see recluster.py); kept records keep theirs."""
    old = dict(s.mem.execute(
        f"SELECT record_id, customer_id FROM prev_xref WHERE record_id IN (SELECT record_id FROM recluster) "
        f"OR record_id NOT IN (SELECT record_id FROM {INPUT})").fetchall())
    # ids are C + fixed-width digits, so the greatest string is the highest sequence
    [highest] = con.execute(
        "SELECT max(i) FROM (SELECT customer_id AS i FROM identity.customer_xref UNION ALL "
        "SELECT old_id FROM identity.customer_id_redirects UNION ALL "
        "SELECT new_id FROM identity.customer_id_redirects)"
    ).fetchone()
    new = dict(s.mem.execute(
        f"SELECT record_id, cluster_id FROM {clusters.physical_name} "
        "WHERE record_id IN (SELECT record_id FROM recluster)").fetchall())
    assignment = assign_customer_ids(old, new, next_sequence([highest]))
    ids = pa.table({"record_id": pa.array(list(assignment.customer_of), pa.string()),
                    "customer_id": pa.array(list(assignment.customer_of.values()), pa.string())})
    # Confidence that a record belongs to its customer: its best edge at/above the threshold
    # inside its cluster (cluster.py may refuse a strong edge); 1.0 for a record alone.
    sql = f"""
        CREATE OR REPLACE TABLE new_assignment AS
        WITH strong AS (
            SELECT e.record_id_l, e.record_id_r, e.match_probability
            FROM edges AS e
            JOIN {clusters.physical_name} AS l ON l.record_id = e.record_id_l
            JOIN {clusters.physical_name} AS r ON r.record_id = e.record_id_r
            WHERE e.match_probability >= $threshold AND l.cluster_id = r.cluster_id
        ),
        ends AS (
            SELECT record_id_l AS record_id, match_probability FROM strong
            UNION ALL
            SELECT record_id_r, match_probability FROM strong
        ),
        best AS (SELECT record_id, max(match_probability) AS p FROM ends GROUP BY record_id)
        SELECT i.record_id, i.customer_id, coalesce(b.p, 1.0) AS cluster_confidence
        FROM (SELECT * FROM __ids UNION ALL SELECT record_id, customer_id FROM kept) AS i
        LEFT JOIN best AS b USING (record_id)
    """
    with registered(s.mem, "__ids", ids):
        s.mem.execute(sql, {"threshold": threshold})
    return assignment


def _write_back(con: duckdb.DuckDBPyConnection, s: Session, model: Model, run_id: str,
                now: datetime, assignment: Assignment, threshold: float) -> None:
    """Replace the identity tables in one warehouse transaction: all or nothing."""
    links = s.mem.execute(
        "SELECT record_id_l, record_id_r, match_weight, match_probability, match_key, "
        "? AS model_version, run_id FROM edges", [model.version]).to_arrow_table()
    hashes = s.mem.execute(
        f"SELECT record_id, match_hash, ? AS model_version, ? AS run_id, ?::DOUBLE AS match_threshold FROM {INPUT}",
        [model.version, run_id, threshold]).to_arrow_table()
    xref = s.mem.execute("SELECT * FROM new_assignment").to_arrow_table()
    with registered(con, "__links", links), registered(con, "__hashes", hashes), \
            registered(con, "new_assignment", xref), _redirects(con, assignment, now), transaction(con):
        con.execute("CREATE OR REPLACE TABLE identity.record_links AS SELECT * FROM __links")
        con.execute(render_sql("identity/xref_rows.sql"), {"model_version": model.version, "now": now})
        con.execute("CREATE OR REPLACE TABLE identity.customer_xref AS SELECT * FROM _xref_rows")
        con.execute("INSERT INTO identity.customer_id_redirects SELECT * FROM __redirects")
        con.execute("CREATE OR REPLACE TABLE identity.record_hashes AS SELECT * FROM __hashes")


_LINK_VALUES = "record_id_l, record_id_r, match_weight, match_probability, match_key"
# Same edge: same values, where a deterministic edge's NULL weight equals NULL (EXCEPT's rule).
_SAME_LINK = " AND ".join(f"a.{c} IS NOT DISTINCT FROM b.{c}" for c in _LINK_VALUES.split(", "))


def _write_changes(con: duckdb.DuckDBPyConnection, s: Session, model: Model, run_id: str, now: datetime,
                   assignment: Assignment, threshold: float) -> None:
    """Write back only what tonight changed (same model and threshold as last night): at a
    million records, rewriting the three tables whole was most of the step's 7 s of write-back.

    The tables end as a full write-back would leave them, except for run_id: links compare on
    their values, so a kept edge (or a deterministic edge found again) keeps the run that scored
    it, and a record's hash row keeps the run that last saw its input change. A record's xref
    row is rewritten when its customer or confidence moved (assigned_at moves with the customer).
    """
    s.mem.execute(f"""
        CREATE OR REPLACE TABLE links_gone AS
        SELECT {_LINK_VALUES} FROM prev_links EXCEPT SELECT {_LINK_VALUES} FROM edges;
        CREATE OR REPLACE TABLE links_new AS
        SELECT a.* FROM edges AS a ANTI JOIN prev_links AS b ON {_SAME_LINK};
        CREATE OR REPLACE TABLE xref_changed AS
        SELECT record_id, customer_id, cluster_confidence FROM new_assignment
        EXCEPT SELECT record_id, customer_id, cluster_confidence FROM prev_xref;
        CREATE OR REPLACE TABLE records_gone AS
        SELECT record_id FROM prev_xref EXCEPT SELECT record_id FROM {INPUT};
    """)
    fetch = lambda sql: s.mem.execute(sql).to_arrow_table()  # noqa: E731
    links_gone, links_new = fetch("SELECT * FROM links_gone"), fetch("SELECT * FROM links_new")
    xref, gone = fetch("SELECT * FROM xref_changed"), fetch("SELECT * FROM records_gone")
    hashes = fetch("SELECT record_id, match_hash FROM changed_records")
    with registered(con, "__links_gone", links_gone), registered(con, "__links_new", links_new), \
            registered(con, "new_assignment", xref), registered(con, "__gone", gone), \
            registered(con, "__hashes", hashes), _redirects(con, assignment, now), transaction(con):
        con.execute(f"DELETE FROM identity.record_links AS a USING __links_gone AS b WHERE {_SAME_LINK}")
        con.execute(f"INSERT INTO identity.record_links SELECT {_LINK_VALUES}, ?, run_id FROM __links_new",
                    [model.version])
        con.execute(render_sql("identity/xref_rows.sql"), {"model_version": model.version, "now": now})
        con.execute("DELETE FROM identity.customer_xref WHERE record_id IN "
                    "(SELECT record_id FROM _xref_rows UNION ALL SELECT record_id FROM __gone)")
        con.execute("INSERT INTO identity.customer_xref SELECT * FROM _xref_rows")
        con.execute("INSERT INTO identity.customer_id_redirects SELECT * FROM __redirects")
        con.execute("DELETE FROM identity.record_hashes WHERE record_id IN "
                    "(SELECT record_id FROM __hashes UNION ALL SELECT record_id FROM __gone)")
        con.execute("INSERT INTO identity.record_hashes SELECT record_id, match_hash, ?, ?, ? FROM __hashes",
                    [model.version, run_id, threshold])


@contextmanager
def _redirects(con: duckdb.DuckDBPyConnection, assignment: Assignment, now: datetime) -> Iterator[None]:
    """This run's redirects as view __redirects (old_id, new_id, redirected_at, reason)."""
    redirects = pa.table({
        "old_id": pa.array([r[0] for r in assignment.redirects], type=pa.string()),
        "new_id": pa.array([r[1] for r in assignment.redirects], type=pa.string()),
        "redirected_at": pa.array([now] * len(assignment.redirects), type=pa.timestamp("us")),
        "reason": pa.array([r[2] for r in assignment.redirects], type=pa.string()),
    })
    with registered(con, "__redirects", redirects):
        yield
