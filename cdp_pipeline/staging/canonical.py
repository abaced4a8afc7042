"""Rename each source's file columns to canonical fields, in SQL.

Why generated: the mapping is configuration, so the SELECT that reads `raw.<source>` under
canonical names is built from the config; the set-based logic that follows (typing,
latest-version, unions) lives in reviewable files under `sql/staging/`.
"""

from __future__ import annotations

from cdp_pipeline.config import CANONICAL_FIELDS, Source

TIMESTAMP_FIELDS = ("order_ts", "event_ts", "received_ts", "contact_ts")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def canonical_select(source: Source, extra: dict[str, str] | None = None) -> str:
    """SELECT over raw.<source> with every canonical field of its kind (NULL when unmapped),
    timestamps and amounts typed with the source's own formats, and the lineage columns."""
    parts = [f"{quote_lit(source.name)} AS source"]
    ts_fmt, date_fmt = quote_lit(source.timestamp_format or "%Y-%m-%dT%H:%M:%S"), quote_lit(source.date_format)
    for canonical in CANONICAL_FIELDS[source.kind]:
        column = source.columns.get(canonical)
        expr = f"NULLIF(trim({quote_ident(column)}), '')" if column else "CAST(NULL AS VARCHAR)"
        if canonical in TIMESTAMP_FIELDS:
            expr = f"cdp_parse_ts({expr}, {ts_fmt}, {date_fmt})" if column else "CAST(NULL AS TIMESTAMP)"
        elif canonical == "amount":
            expr = f"cdp_parse_amount({expr}, {quote_lit(source.decimal_separator)})"
        parts.append(f"{expr} AS {canonical}")
    parts += [
        f"{quote_lit(source.customer_source)} AS customer_source",
        f"{quote_lit(source.country)} AS _default_country",
        f"{int(source.trust)} AS trust",
        "_file, _line, _loaded_at",
    ]
    for name, expr in (extra or {}).items():
        parts.append(f"{expr} AS {name}")
    return f"SELECT {', '.join(parts)} FROM {source.table}"


def union_of(sources: list[Source], kind: str) -> str:
    """UNION ALL of the canonical selects; an always-empty select when no source has this kind,
    so downstream tables exist with their columns even for a config without that kind."""
    selects = [canonical_select(s) for s in sources if s.kind == kind]
    if selects:
        return "\nUNION ALL BY NAME\n".join(selects)
    def typed(c: str) -> str:
        return "TIMESTAMP" if c in TIMESTAMP_FIELDS else "DECIMAL(14, 2)" if c == "amount" else "VARCHAR"

    empty = ", ".join(f"CAST(NULL AS {typed(c)}) AS {c}" for c in CANONICAL_FIELDS[kind])
    return (
        f"SELECT CAST(NULL AS VARCHAR) AS source, {empty}, CAST(NULL AS VARCHAR) AS customer_source, "
        "CAST(NULL AS VARCHAR) AS _default_country, 0 AS trust, "
        "CAST(NULL AS VARCHAR) AS _file, CAST(NULL AS BIGINT) AS _line, CAST(NULL AS TIMESTAMP) AS _loaded_at "
        "WHERE false"
    )
