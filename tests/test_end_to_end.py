"""The whole nightly job on a small generated demo: real files, real DuckDB, real Splink, real Dagster."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.runner import run_pipeline
from cdp_pipeline.synth import generate


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    generate(out, persons=400, seed=3)
    cfg = load_config(out / "cdp.yaml")
    outcome = run_pipeline(cfg)
    assert outcome.success, outcome.failure
    return out, cfg, outcome


def q(cfg, sql):
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_row_read_is_accounted_for(demo):
    _, cfg, _ = demo
    bad = q(cfg, "SELECT file FROM audit.file_loads WHERE rows_read <> rows_loaded + rows_quarantined + rows_erased")
    assert bad == []
    raw_total = sum(q(cfg, f"SELECT count(*) FROM raw.{s.name}")[0][0] for s in cfg.sources if s.kind != "erasure_requests")
    loaded = q(cfg, "SELECT sum(rows_loaded) FROM audit.file_loads WHERE status='loaded' AND source <> 'erasure'")[0][0]
    purges = q(cfg, "SELECT (SELECT count(*) FROM gdpr.erasure_log) + (SELECT count(*) FROM gdpr.retention_log)")[0][0]
    # raw rows only ever leave through a logged erasure or retention purge
    assert raw_total <= loaded and (raw_total == loaded or purges > 0)


def test_only_deliberately_corrupted_rows_are_quarantined(demo):
    out, cfg, _ = demo
    with open(out / "truth" / "corruptions.csv", newline="", encoding="utf-8") as fh:
        hard = {(r["source"], int(r["line"])) for r in csv.DictReader(fh) if not r["kind"].startswith("soft:")}
    got = {(s, int(line)) for s, line in q(cfg, "SELECT source, line FROM quarantine.rejected_rows")}
    assert got == hard


def test_every_identity_record_has_one_customer_id(demo):
    _, cfg, _ = demo
    missing = q(cfg, """SELECT count(*) FROM staging.identity_records r
                        LEFT JOIN identity.customer_xref x USING (record_id) WHERE x.customer_id IS NULL""")
    assert missing == [(0,)]
    dupes = q(cfg, "SELECT count(*) - count(DISTINCT record_id) FROM identity.customer_xref")
    assert dupes == [(0,)]


def test_rerun_adds_nothing_and_keeps_ids(demo):
    _, cfg, _ = demo
    before_raw = q(cfg, "SELECT count(*) FROM raw.pos")
    before_ids = dict(q(cfg, "SELECT record_id, customer_id FROM identity.customer_xref"))
    outcome = run_pipeline(cfg)
    assert outcome.success, outcome.failure
    assert q(cfg, "SELECT count(*) FROM raw.pos") == before_raw
    after_ids = dict(q(cfg, "SELECT record_id, customer_id FROM identity.customer_xref"))
    assert after_ids == before_ids


def readme_queries() -> list[str]:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = text.split("## For analysts", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    return [q.strip() for q in block.split(";") if q.strip() and not all(
        line.startswith("--") for line in q.strip().splitlines())]


def test_readme_queries_run_on_the_published_file_read_only(demo):
    _, cfg, _ = demo
    queries = readme_queries()
    assert len(queries) == 5
    con = duckdb.connect(str(cfg.publish_path), read_only=True)  # a fresh connection, as a BI tool opens it
    try:
        for sql in queries:
            con.execute(sql).fetchall()
        assert con.execute("SELECT count(*) FROM bi.customers").fetchone()[0] > 0
        schemas = {r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
        assert schemas <= {"bi", "audit", "gdpr"}  # no raw, staging or marts personal data
    finally:
        con.close()


def test_published_file_has_no_personal_data(demo):
    _, cfg, _ = demo
    people = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        emails = {r[0] for r in people.execute("SELECT email FROM staging.identity_records WHERE email IS NOT NULL").fetchall()}
        phones = {r[0] for r in people.execute("SELECT phone FROM staging.identity_records WHERE phone IS NOT NULL").fetchall()}
    finally:
        people.close()
    con = duckdb.connect(str(cfg.publish_path), read_only=True)
    try:
        for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall():
            for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall():
                assert not ({str(v) for v in row} & (emails | phones)), f"{schema}.{table} holds a contact point"
    finally:
        con.close()


def test_audience_files_written(demo):
    _, cfg, _ = demo
    files = sorted(p.name for p in cfg.exports_dir.glob("*.csv"))
    assert files == sorted(f"{a['name']}.csv" for a in cfg.audiences)
