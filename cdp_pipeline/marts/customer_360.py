"""Customer 360: orders, contacts and identifiers per customer, and the support agent's view.

Why the 360 tables keep unknown buyers: an order whose buyer record is not (yet) in
identity.customer_xref is still revenue; it stays with customer_id NULL so a quality check
can count it, rather than silently disappearing from every total.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.run import run_sql_files
from cdp_pipeline.warehouse import table_exists

TABLES_360 = ("customer_orders", "customer_contacts")
_MAX_REDIRECT_HOPS = 20  # a redirect chain longer than this is a cycle: stop following it


def build_customer_360(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    """(Re)build marts.customer_orders and customer_contacts together (customer_identifiers is
    written with the golden records, from the same records: marts/golden.py).

    Returns counts only: rows per table and orders/contacts without a known customer.
    """
    run_sql_files(con, [f"marts/{t}.sql" for t in TABLES_360])
    metrics = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in TABLES_360}
    for t in ("customer_orders", "customer_contacts"):
        metrics[f"{t}_unknown_customer"] = con.execute(
            f"SELECT count(*) FROM marts.{t} WHERE customer_id IS NULL").fetchone()[0]
    return metrics


# How each redirect reason reads to a support agent (identity/stable_ids.py writes them).
_REDIRECT_TEXT = {
    "merge": "was merged into {new}",
    "split": "was split; most of its records are now customer {new}",
    "removed": "was removed (its records were erased or deleted at the source)",
}


def resolve_customer_id(con: duckdb.DuckDBPyConnection, customer_id: str) -> tuple[str | None, list[tuple]]:
    """Follow identity.customer_id_redirects from a possibly retired id to the live one.

    Returns the live id (None when the chain ends in a removal) and the hops followed as
    (old_id, new_id, reason), so the agent is told why the id they were given changed.
    """
    if not table_exists(con, "identity.customer_id_redirects"):
        return customer_id, []
    current: str | None = customer_id
    seen, hops = {customer_id}, []
    for _ in range(_MAX_REDIRECT_HOPS):
        row = con.execute(
            "SELECT new_id, reason FROM identity.customer_id_redirects WHERE old_id = ? "
            "ORDER BY redirected_at DESC NULLS LAST LIMIT 1", [current]).fetchone()
        if row is None or row[0] in seen:
            break
        hops.append((current, row[0], row[1]))
        current = row[0]
        if current is None:
            break
        seen.add(current)
    return current, hops


def customer_360_text(con: duckdb.DuckDBPyConnection, customer_id: str, max_rows: int = 10) -> str:
    """What `cdp customer <id>` prints for a support agent: identity, contact points,
    RFM segment, latest orders and contacts. A retired id says what became of it and shows
    the live customer it leads to."""
    if not table_exists(con, "marts.golden_customers"):
        return "The customer marts have not been built yet: run `cdp run` first."
    current, hops = resolve_customer_id(con, customer_id)
    lines = []
    if hops:
        moves = "; ".join(f"Customer {old} " + _REDIRECT_TEXT.get(reason, "was redirected to {new}").format(new=new)
                          for old, new, reason in hops)
        lines.append(moves + (f"; showing {current}." if current else "."))
    if current is None:
        return "\n".join(lines)
    golden = _rows(con, "SELECT * FROM marts.golden_customers WHERE customer_id = ?", [current])
    if not golden:
        lines.append(f"No customer {current}: unknown id.")
        return "\n".join(lines)
    g = golden[0]
    name = " ".join(v for v in (g["civility"], g["first_name"], g["last_name"]) if v)
    lines += [f"Customer {current}: {name or '(no name)'}"]
    if g["birth_name"]:
        lines.append(f"  born {g['birth_name']}")
    lines += [
        f"  birth date: {g['birth_date'] or '-'}",
        f"  email: {g['email'] or '-'}   mobile: {g['mobile'] or '-'}   landline: {g['landline'] or '-'}",
        "  address: " + (" / ".join(g[f"address_l{i}"] for i in range(2, 7) if g[f"address_l{i}"]) or "-"),
        f"  known in: {g['sources']} ({g['source_record_count']} records), "
        f"first seen {g['first_seen']}, last seen {g['last_seen']}",
    ]
    # RFM is built after the 360: absent on a warehouse where it has not run yet.
    rfm = (_rows(con, "SELECT * FROM marts.customer_rfm WHERE customer_id = ?", [current])
           if table_exists(con, "marts.customer_rfm") else [])
    if rfm:
        r = rfm[0]
        lines.append(f"  segment: {r['segment']} (as of {r['as_of']}: {r['frequency']} orders, "
                     f"{r['monetary']} net, last order {r['recency_days']} days ago)")
    lines.append("Identifiers:")
    for i in _rows(con, "SELECT * FROM marts.customer_identifiers WHERE customer_id = ? "
                        "ORDER BY kind, value, record_id", [current]):
        lines.append(f"  {i['kind']:<12} {i['value']:<32} {'valid' if i['valid'] else i['flag']:<11} {i['record_id']}")
    lines.append(f"Latest orders (up to {max_rows}):")
    for o in _rows(con, "SELECT * FROM marts.customer_orders WHERE customer_id = ? "
                        "ORDER BY order_ts DESC, order_record_id LIMIT ?", [current, max_rows]):
        lines.append(f"  {o['order_ts']}  {o['order_record_id']:<24} {o['status']:<9} "
                     f"{o['amount']} {o['currency']} (net {o['net_amount']})")
    lines.append(f"Latest contacts (up to {max_rows}):")
    for c in _rows(con, "SELECT * FROM marts.customer_contacts WHERE customer_id = ? "
                        "ORDER BY contact_ts DESC, contact_id LIMIT ?", [current, max_rows]):
        lines.append(f"  {c['contact_ts']}  {c['channel'] or '-'}: {c['reason'] or '-'} -> {c['outcome'] or '-'}")
    return "\n".join(lines)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
