"""What every asset shows in the UI: column schemas and counts, never rows of personal data."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, MaterializeResult, MetadataValue, TableColumn, TableSchema

OWNERS = ["team:data-engineering"]


def table_schema(con: duckdb.DuckDBPyConnection, qualified: str) -> TableSchema:
    """Column names, types and COMMENT ON descriptions, as Dagster shows them in the UI."""
    schema, name = qualified.split(".", 1)
    rows = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, name],
    ).fetchall()
    return TableSchema(columns=[TableColumn(n, t, description=d) for n, t, d in rows])


def table_result(con: duckdb.DuckDBPyConnection, tables: list[str], asset_key: AssetKey | None = None,
                 **counts) -> MaterializeResult:
    """Row count + column schema of the asset's table(s) and extra counts, as UI metadata."""
    main = tables[0]
    metadata: dict = {
        "dagster/row_count": int(con.execute(f"SELECT count(*) FROM {main}").fetchone()[0]),
        "dagster/column_schema": table_schema(con, main),
        "table": MetadataValue.text(main),
    }
    for extra in tables[1:]:
        metadata[f"rows {extra}"] = int(con.execute(f"SELECT count(*) FROM {extra}").fetchone()[0])
    for key, value in counts.items():
        metadata[key] = value
    return MaterializeResult(asset_key=asset_key, metadata=metadata)
