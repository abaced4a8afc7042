"""How a check measures a table: exactly in SQL, or as a rate on a sample validated by GX.

Why two engines: a zero-tolerance rule (unique keys, referential integrity, accepted values)
is only proven by looking at every row, which DuckDB does in one aggregate; a validity *rate*
is well estimated from a sample, and Great Expectations states it as an expectation with
`mostly`. GX 1.x validates pandas frames, so only the sample (id + one value) leaves DuckDB.

Every measurement carries counts and failing ids only: ids are record_id / customer_id /
order_id / event_id / file:line, never a value of the row (names, e-mails, phones, addresses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

import duckdb

from cdp_pipeline.quality.settings import QualitySettings

Params = Callable[[QualitySettings], dict[str, Any]]


@dataclass(frozen=True)
class Measurement:
    passed: bool
    evaluated: int
    failing: int
    sample_ids: list[str] = field(default_factory=list)
    sampled: bool = False  # `evaluated` rows are a random sample, not the whole table
    note: str = ""

    @property
    def failing_share(self) -> float:
        return self.failing / self.evaluated if self.evaluated else 0.0


@dataclass(frozen=True)
class Exact:
    """Zero tolerance: `failing_sql` selects one `id` per failing row; `evaluated_sql` counts rows.

    `params` gives the named SQL parameters ($name) from the settings: thresholds are values,
    never spliced into the SQL text.
    """

    evaluated_sql: str
    failing_sql: str
    params: Params | None = None

    def measure(self, con: duckdb.DuckDBPyConnection, settings: QualitySettings, run_id: str) -> Measurement:
        values = self.params(settings) if self.params else {}
        evaluated = con.execute(self.evaluated_sql, _used(self.evaluated_sql, values)).fetchone()[0]
        failing, ids = con.execute(
            f"SELECT count(*), list(CAST(id AS VARCHAR) ORDER BY id)[1:{int(settings.sample_ids)}] "
            f"FROM ({self.failing_sql})",
            _used(self.failing_sql, values),
        ).fetchone()
        return Measurement(passed=failing == 0, evaluated=int(evaluated), failing=int(failing), sample_ids=ids or [])


def _used(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """DuckDB rejects parameters a statement does not use."""
    return {k: v for k, v in values.items() if f"${k}" in sql}


@dataclass(frozen=True)
class SampledRate:
    """A validity rate: `value_sql` over a reservoir sample of the rows matching `where`.

    `expectation(settings)` builds the GX expectation on the column `value` (with `mostly`).
    """

    table: str
    id_sql: str
    value_sql: str
    where: str
    expectation: Callable[[QualitySettings], Any]

    def measure(self, con: duckdb.DuckDBPyConnection, settings: QualitySettings, run_id: str) -> Measurement:
        frame = con.execute(
            f"SELECT * FROM (SELECT {self.id_sql} AS id, {self.value_sql} AS value FROM {self.table} "
            f"WHERE {self.where}) USING SAMPLE reservoir({int(settings.sample_rows)} ROWS) REPEATABLE (42)"
        ).df()
        if frame.empty:
            return Measurement(passed=True, evaluated=0, failing=0, sampled=True, note="no rows to evaluate")
        result = _validate(frame, self.expectation(settings))
        if _raised(result.exception_info):
            return Measurement(passed=False, evaluated=len(frame), failing=0, sampled=True,
                               note="the expectation could not be evaluated (GX raised an error)")
        # unexpected_index_list holds {"id": ..., "value": ...}: keep the id, drop the value.
        ids = sorted(str(row["id"]) for row in result.result.get("unexpected_index_list") or [])
        return Measurement(
            passed=bool(result.success),
            evaluated=int(result.result.get("element_count", len(frame))),
            failing=int(result.result.get("unexpected_count", 0)),
            sample_ids=ids[: settings.sample_ids],
            sampled=True,
        )


def _raised(info) -> bool:
    """GX reports errors either flat or per metric: {"raised_exception": ...} or {metric: {...}}."""
    if not isinstance(info, dict):
        return False
    return bool(info.get("raised_exception")) or any(_raised(v) for v in info.values() if isinstance(v, dict))


@cache
def _batch_definition():
    """One ephemeral GX context per process: nothing of it is written to disk."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("cdp_quality").add_dataframe_asset("sample")
    return asset.add_batch_definition_whole_dataframe("whole sample")


def _validate(frame, expectation):
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="cdp_quality", expectations=[expectation])
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    report = batch.validate(suite, result_format={
        "result_format": "COMPLETE", "unexpected_index_column_names": ["id"],
        "return_unexpected_index_query": False,
    })
    return report.results[0]
