"""Through the real nightly job: erasure that survives re-ingestion, and a blocking check that
stops the run before the marts and the BI publish."""

from __future__ import annotations

import duckdb
import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.runner import run_pipeline
from cdp_pipeline.synth import generate

KEEP_SCHEMAS = ("gdpr", "audit")


def _demo(tmp_path_factory, name: str, persons: int = 250):
    out = tmp_path_factory.mktemp(name)
    generate(out, persons=persons, seed=11)
    cfg = load_config(out / "cdp.yaml")
    outcome = run_pipeline(cfg)
    assert outcome.success, outcome.failure
    return out, cfg


def _text_values(db_path, exclude=KEEP_SCHEMAS) -> set[str]:
    """Every text value of every table and view outside `exclude`, lower-cased."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        values: set[str] = set()
        objects = con.execute(
            "SELECT DISTINCT schema_name, table_name FROM duckdb_columns() WHERE database_name = current_database() "
            f"AND schema_name NOT IN {tuple(exclude)} AND data_type = 'VARCHAR'").fetchall()
        for schema, table in objects:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = ? AND table_name = ? AND data_type = 'VARCHAR'", [schema, table]).fetchall()]
            for row in con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{schema}"."{table}"').fetchall():
                values.update(str(v).lower() for v in row if v is not None)
        return values
    finally:
        con.close()


def _contains(values: set[str], needle: str) -> bool:
    needle = needle.lower()
    return any(needle in v for v in values)


def test_erasure_removes_the_person_everywhere_and_survives_reingestion(tmp_path_factory):
    out, cfg = _demo(tmp_path_factory, "erasure")
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    # someone known by the till, with an email and a phone of their own
    email, phone, customer_id = con.execute("""
        SELECT g.email, g.mobile, g.customer_id FROM marts.golden_customers g
        JOIN identity.customer_xref x USING (customer_id)
        WHERE g.email IS NOT NULL AND g.mobile IS NOT NULL AND x.source = 'pos'
          AND (SELECT count(*) FROM staging.identity_records r WHERE r.email = g.email) =
              (SELECT count(*) FROM identity.customer_xref x2 JOIN staging.identity_records r2 USING (record_id)
               WHERE x2.customer_id = g.customer_id AND r2.email = g.email)
        ORDER BY g.customer_id LIMIT 1""").fetchone()
    con.close()
    (out / "dpo" / "erasure_requests_0001.csv").write_text(
        f"request_id,received_at,email,phone\nDPO-1,2026-11-20T09:00:00,{email.upper()},\n", encoding="utf-8")
    outcome = run_pipeline(cfg)
    assert outcome.success, outcome.failure
    values = _text_values(cfg.warehouse)
    local = email.split("@")[0]
    assert not _contains(values, local), "the erased email is still somewhere outside gdpr/audit"
    assert not _contains(values, phone[-9:]), "the erased phone is still somewhere outside gdpr/audit"
    assert customer_id.lower() not in values or _only_redirect(cfg, customer_id)
    for export in cfg.exports_dir.glob("*.csv"):
        assert local not in export.read_text(encoding="utf-8").lower()
    gdpr = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        assert gdpr.execute("SELECT count(*) FROM gdpr.erasure_tombstones").fetchone()[0] >= 1
        assert gdpr.execute("SELECT count(*) FROM gdpr.erasure_requests WHERE lower(email) = ?",
                            [email.lower()]).fetchone()[0] == 0  # clear identifiers replaced by hashes
    finally:
        gdpr.close()

    # tomorrow's extracts bring the same person again (same rows, a new file): nothing comes back
    pos = out / "pos" / "clients_0000.csv"
    (out / "pos" / "clients_0002.csv").write_bytes(pos.read_bytes() + b"\r\n")
    web = out / "web" / "customers_0000.jsonl"
    (out / "web" / "customers_0002.jsonl").write_bytes(web.read_bytes() + b"\n")
    outcome = run_pipeline(cfg)
    assert outcome.success, outcome.failure
    values = _text_values(cfg.warehouse)
    assert not _contains(values, local) and not _contains(values, phone[-9:])
    check = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        erased = check.execute("SELECT sum(rows_erased) FROM audit.file_loads WHERE file LIKE '%_0002.%'").fetchone()[0]
        assert erased >= 1  # the filter at the door dropped the person's rows, and counted them
    finally:
        check.close()
    assert not _contains(_text_values(cfg.publish_path, exclude=("__none__",)), local)


def _only_redirect(cfg, customer_id: str) -> bool:
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM marts.golden_customers WHERE customer_id = ?",
                           [customer_id]).fetchone()[0] == 0
    finally:
        con.close()


def test_failing_blocking_check_stops_marts_and_publish(tmp_path_factory):
    out, cfg = _demo(tmp_path_factory, "gate")
    bi_before = cfg.publish_path.stat()
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    golden_before = con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0]
    con.close()
    # a broken till extract: tickets of customers the till never exported (referential integrity, ERROR)
    lines = (out / "pos" / "tickets_0000.csv").read_bytes().splitlines(keepends=True)
    broken = [lines[0]] + [b"X" + line.split(b";", 1)[0] + b";UNKNOWN-" + line.split(b";", 2)[1] + b";"
                           + line.split(b";", 2)[2] for line in lines[1:6]]
    (out / "pos" / "tickets_0003.csv").write_bytes(b"".join(broken))
    outcome = run_pipeline(cfg)
    assert not outcome.success
    assert "staging_order_customer_known" in outcome.failure
    after = cfg.publish_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (bi_before.st_ino, bi_before.st_mtime_ns), "BI file was republished"
    con = duckdb.connect(str(cfg.warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0] == golden_before
        status = con.execute("SELECT status FROM audit.runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        assert status.startswith("failed")
    finally:
        con.close()
