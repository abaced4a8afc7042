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

TABLES_360 = ("customer_orders", "customer_contacts", "customer_identifiers")
_MAX_REDIRECT_HOPS = 20  # a redirect chain longer than this is a cycle: stop following it


def build_customer_360(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    """(Re)build marts.customer_orders, customer_contacts and customer_identifiers together.

    Returns counts only: rows per table and orders/contacts without a known customer.
    """
    run_sql_files(con, [f"marts/{t}.sql" for t in TABLES_360])
    metrics = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in TABLES_360}
    for t in ("customer_orders", "customer_contacts"):
        metrics[f"{t}_unknown_customer"] = con.execute(
            f"SELECT count(*) FROM marts.{t} WHERE customer_id IS NULL").fetchone()[0]
    return metrics


def resolve_customer_id(con: duckdb.DuckDBPyConnection, customer_id: str) -> str:
    """Follow identity.customer_id_redirects from a possibly merged id to the surviving one."""
    current, seen = customer_id, {customer_id}
    for _ in range(_MAX_REDIRECT_HOPS):
        row = con.execute(
            "SELECT new_id FROM identity.customer_id_redirects WHERE old_id = ? "
            "ORDER BY redirected_at DESC NULLS LAST LIMIT 1", [current]).fetchone()
        if row is None or row[0] in seen:
            break
        current = row[0]
        seen.add(current)
    return current


def customer_360_text(con: duckdb.DuckDBPyConnection, customer_id: str, max_rows: int = 10) -> str:
    """What `cdp customer <id>` prints for a support agent: identity, contact points,
    RFM segment, latest orders and contacts. An old merged id shows the surviving customer."""
    current = resolve_customer_id(con, customer_id)
    lines = []
    if current != customer_id:
        lines.append(f"Customer {customer_id} was merged into {current}; showing {current}.")
    golden = _rows(con, "SELECT * FROM marts.golden_customers WHERE customer_id = ?", [current])
    if not golden:
        lines.append(f"No customer {current}.")
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
        f"  known in: {', '.join(g['sources'])} ({g['source_record_count']} records), "
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
