"""Load one source's landing files into `raw.<source>`, losing nothing.

Every row read ends in exactly one place: `raw.<source>` (loaded), `quarantine.rejected_rows`
(with a reason), or nowhere because its person was erased (counted as erased). The counts are
written per file to `audit.file_loads`, and `rows_read = loaded + quarantined + erased` is
checked before commit.

A structural problem in any file of the source (missing column, unreadable file) raises
`SourceError` before anything is written, and the whole source is loaded in one transaction,
so a failed load never leaves a half-loaded table. Files already loaded (same sha256) are
skipped: re-running over the same files adds nothing twice.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from cdp_pipeline.config import CHANNELS, Source
from cdp_pipeline.ingest.readers import Chunk, SourceError, csv_text, read_file

from cdp_pipeline.warehouse import transaction

# Given the connection, the temp table of incoming rows (file column names) and the source,
# return a SQL predicate true for rows whose person was erased (or None). Supplied by privacy.
ErasureFilter = Callable[[duckdb.DuckDBPyConnection, str, Source], str | None]

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS audit.file_loads (
    source VARCHAR, file VARCHAR, file_sha256 VARCHAR, loaded_at TIMESTAMP,
    rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_erased BIGINT,
    status VARCHAR, message VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine.rejected_rows (
    source VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, raw_text VARCHAR, quarantined_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS gdpr.erasure_requests (
    request_id VARCHAR, received_ts TIMESTAMP, email VARCHAR, phone VARCHAR, customer_record_id VARCHAR,
    status VARCHAR, applied_at TIMESTAMP, source VARCHAR, _file VARCHAR, _line BIGINT, _loaded_at TIMESTAMP
);
"""

TIMESTAMP_FIELDS = {"order_ts", "event_ts", "received_ts", "contact_ts"}


@dataclass
class FileResult:
    file: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_erased: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # reason -> rows (reasons never hold values)

    def count(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)


def source_files(source: Source) -> list[Path]:
    files = sorted(Path(p) for p in glob.glob(source.path, recursive=True))
    return [f for f in files if f.is_file()]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def row_problems_sql(source: Source) -> str:
    """A SQL expression over `_incoming` giving the reason a row is unusable, or NULL.

    Only required fields can cost a row; reasons name the field and column, never a value.
    """
    checks: list[str] = []
    ts_fmt, date_fmt = _lit(source.timestamp_format or "%Y-%m-%dT%H:%M:%S"), _lit(source.date_format)
    for canonical in source.required_fields:
        col = _q(source.columns[canonical])
        where = f"{canonical} (column {source.columns[canonical]})"
        checks.append(f"WHEN NULLIF(trim({col}), '') IS NULL THEN {_lit(where + ' is missing')}")
        if canonical in TIMESTAMP_FIELDS:
            checks.append(f"WHEN cdp_parse_ts({col}, {ts_fmt}, {date_fmt}) IS NULL THEN {_lit(where + ' is not a date')}")
        elif canonical == "amount":
            checks.append(
                f"WHEN cdp_parse_amount({col}, {_lit(source.decimal_separator)}) IS NULL "
                f"THEN {_lit(where + ' is not a number')}"
            )
        elif canonical == "channel":
            checks.append(f"WHEN cdp_channel({col}) IS NULL THEN {_lit(where + ' is not one of ' + '|'.join(CHANNELS))}")
        elif canonical == "status" and source.kind == "consent_events":
            checks.append(f"WHEN cdp_consent_status({col}) IS NULL THEN {_lit(where + ' is not granted|withdrawn')}")
        elif canonical == "reason" and source.kind == "suppressions":
            checks.append(f"WHEN cdp_suppression_reason({col}) IS NULL THEN {_lit(where + ' is not a known reason')}")
    return "CASE " + " ".join(checks) + " END" if checks else "NULL"


def _prepare_target(con: duckdb.DuckDBPyConnection, source: Source, columns: list[str]) -> None:
    """Create raw.<source> or add columns that a newer extract brought."""
    table = source.table
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema='raw' AND table_name=?", [source.name]
    ).fetchone()[0]
    if not exists:
        cols = ", ".join(f"{_q(c)} VARCHAR" for c in columns)
        con.execute(
            f"CREATE TABLE {table} ({cols}{', ' if cols else ''}_file VARCHAR, _line BIGINT, "
            f"_loaded_at TIMESTAMP, _file_sha256 VARCHAR)"
        )
        return
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema='raw' AND table_name=?", [source.name]
    ).fetchall()}
    for c in columns:
        if c not in have:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {_q(c)} VARCHAR")


def _load_chunk(
    con: duckdb.DuckDBPyConnection, source: Source, chunk: Chunk, file: str, sha: str,
    loaded_at: datetime, result: FileResult, erasure_filter: ErasureFilter | None,
) -> None:
    now = loaded_at
    for rej in chunk.rejects:
        result.count(rej.reason)
    if chunk.rejects:
        con.executemany(
            "INSERT INTO quarantine.rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
            [(source.name, file, r.line, r.reason, r.raw_text, now) for r in chunk.rejects],
        )
    result.rows_read += chunk.table.num_rows + len(chunk.rejects)
    result.rows_quarantined += len(chunk.rejects)
    if not chunk.table.num_rows:
        return
    con.register("_incoming_arrow", chunk.table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT *, {row_problems_sql(source)} AS _problem FROM _incoming_arrow")
    con.unregister("_incoming_arrow")
    bad = con.execute(
        "SELECT _line, _problem, " + _value_columns_sql(chunk.columns) + " FROM _incoming WHERE _problem IS NOT NULL"
    ).fetchall()
    if bad:
        con.executemany(
            "INSERT INTO quarantine.rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
            [(source.name, file, line, reason, csv_text(list(values), source.delimiter), now) for line, reason, *values in bad],
        )
        for _, reason, *_ in bad:
            result.count(reason)
        con.execute("DELETE FROM _incoming WHERE _problem IS NOT NULL")
    result.rows_quarantined += len(bad)
    if erasure_filter is not None:
        predicate = erasure_filter(con, "_incoming", source)
        if predicate:
            erased = con.execute(f"SELECT count(*) FROM _incoming WHERE {predicate}").fetchone()[0]
            con.execute(f"DELETE FROM _incoming WHERE {predicate}")
            result.rows_erased += erased
    cols = ", ".join(_q(c) for c in chunk.columns)
    if source.kind == "erasure_requests":
        c = source.columns
        get = lambda f: _q(c[f]) if f in c else "NULL"  # noqa: E731
        ts_fmt, date_fmt = _lit(source.timestamp_format or "%Y-%m-%dT%H:%M:%S"), _lit(source.date_format)
        n = con.execute(
            f"""INSERT INTO gdpr.erasure_requests
            SELECT {get('request_id')}, cdp_parse_ts({get('received_ts')}, {ts_fmt}, {date_fmt}), {get('email')},
                   {get('phone')}, {get('customer_record_id')}, 'pending', NULL, ?, ?, _line, ?
            FROM _incoming""",
            [source.name, file, now],
        ).fetchone()[0]
    else:
        n = con.execute(
            f"INSERT INTO {source.table} ({cols}{', ' if cols else ''}_file, _line, _loaded_at, _file_sha256) "
            f"SELECT {cols}{', ' if cols else ''}?, _line, ?, ? FROM _incoming",
            [file, now, sha],
        ).fetchone()[0]
    result.rows_loaded += n
    con.execute("DROP TABLE _incoming")


def _value_columns_sql(columns: list[str]) -> str:
    return ", ".join(_q(c) for c in columns) if columns else "NULL"


def load_source(
    con: duckdb.DuckDBPyConnection, source: Source, erasure_filter: ErasureFilter | None = None,
    loaded_at: datetime | None = None,
) -> list[FileResult]:
    """Load every new file of `source`; return one result per file (loaded or skipped)."""
    ensure_audit_tables(con)
    files = source_files(source)
    if not files:
        raise SourceError(f"source '{source.name}': no file matches {source.path}")
    loaded_at = loaded_at or datetime.now(timezone.utc).replace(tzinfo=None)
    done = {
        r[0]
        for r in con.execute(
            "SELECT file_sha256 FROM audit.file_loads WHERE source = ? AND status = 'loaded'", [source.name]
        ).fetchall()
    }
    # Open every new file first: a structural problem in any of them stops the source untouched.
    plans = []
    for path in files:
        sha = _sha256(path)
        if sha in done:
            plans.append((path, sha, None, None))
            continue
        columns, chunks = read_file(path, source)
        plans.append((path, sha, columns, chunks))
    results: list[FileResult] = []
    with transaction(con):
        if source.kind != "erasure_requests":
            all_columns: list[str] = []
            for _, _, columns, _ in plans:
                for c in columns or []:
                    if c not in all_columns:
                        all_columns.append(c)
            _prepare_target(con, source, all_columns)
        for path, sha, columns, chunks in plans:
            if chunks is None:
                results.append(FileResult(str(path), "skipped"))
                con.execute(
                    "INSERT INTO audit.file_loads VALUES (?, ?, ?, ?, 0, 0, 0, 0, 'skipped', 'already loaded (same sha256)')",
                    [source.name, str(path), sha, loaded_at],
                )
                continue
            result = FileResult(str(path), "loaded")
            for chunk in chunks:
                _load_chunk(con, source, chunk, str(path), sha, loaded_at, result, erasure_filter)
            if result.rows_read != result.rows_loaded + result.rows_quarantined + result.rows_erased:
                raise SourceError(f"{path}: accounting mismatch (read {result.rows_read}); nothing written")
            message = "; ".join(f"{k}: {v}" for k, v in sorted(result.reasons.items())) or None
            con.execute(
                "INSERT INTO audit.file_loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?)",
                [source.name, str(path), sha, loaded_at, result.rows_read, result.rows_loaded,
                 result.rows_quarantined, result.rows_erased, message],
            )
            results.append(result)
    return results


def ensure_empty_raw(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Downstream SQL reads every mapped column; make sure the table exists even before any load."""
    _prepare_target(con, source, list(dict.fromkeys(source.columns.values())))

