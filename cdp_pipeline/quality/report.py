"""`cdp quality`: the last run's check results as a text table, and whether an ERROR check failed.

Why from `audit.check_results`: it is written by every check execution whatever the Dagster
instance, and holds counts and ids only, so printing it exposes no personal data.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COLUMNS = ("asset", "check", "severity", "result", "evaluated", "failing", "share", "sample ids / note")


def last_run_report(warehouse_path: str | Path) -> tuple[str, bool]:
    """(text table, any ERROR check failed) for the most recent run that executed checks."""
    path = Path(warehouse_path)
    if not path.exists():
        return f"no warehouse at {path}", False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException:
        return f"{path.name} is locked by a running job: try again when it ends", False
    try:
        if not con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema = 'audit' AND table_name = 'check_results'").fetchone()[0]:
            return "no quality checks have run yet", False
        rows = con.execute(
            "SELECT run_id, asset, check_name, severity, passed, evaluated, failing, sample_ids, note "
            "FROM audit.check_results WHERE run_id = (SELECT arg_max(run_id, checked_at) FROM audit.check_results) "
            "QUALIFY row_number() OVER (PARTITION BY asset, check_name ORDER BY checked_at DESC) = 1 "
            "ORDER BY passed, severity, asset, check_name").fetchall()
    finally:
        con.close()
    if not rows:
        return "no quality checks have run yet", False
    table = [COLUMNS] + [_row(r) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[-1] for line in table]
    error_failed = any(r[3] == "ERROR" and not r[4] for r in rows)
    failed = sum(not r[4] for r in rows)
    lines += ["", f"run {rows[0][0]}: {len(rows)} checks, {failed} failed"
                  + (" (ERROR: downstream assets were blocked)" if error_failed else "")]
    return "\n".join(lines), error_failed


def _row(r: tuple) -> tuple[str, ...]:
    _, asset, name, severity, passed, evaluated, failing, ids, note = r
    share = f"{failing / evaluated:.2%}" if evaluated else "-"
    detail = ", ".join(ids or [])
    detail = "; ".join(x for x in (note, detail) if x)
    return (asset, name, severity, "pass" if passed else "FAIL", f"{evaluated:,}", f"{failing:,}", share, detail)
