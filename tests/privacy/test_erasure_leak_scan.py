"""Erasure leaves no trace: every column of every table outside gdpr.* and audit.* is scanned.

Why a scan rather than checking known tables: the risk is a copy nobody remembered (a raw
extract, a quarantined line, a link table, an export file). The scan searches each cell, cast
to text, for any of the person's identifiers in any written form, so a new table or column
that keeps the person fails this test without anyone updating it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb

from cdp_pipeline.ingest.load import ensure_audit_tables
from cdp_pipeline.marketing import build_audiences, build_consent, build_suppressions, write_exports
from cdp_pipeline.privacy import apply_erasure
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person

SOURCES = [
    dict(name="crm", kind="customers", path="in/crm/*.csv", format="csv",
         columns=dict(source_record_id="ID", email="Mail", phone="Tel", first_name="Prenom")),
    dict(name="shop", kind="orders", path="in/shop/*.csv", format="csv", customer_source="crm",
         columns=dict(order_id="Num", customer_record_id="Client", order_ts="Date", amount="Montant")),
    dict(name="esp", kind="consent_events", path="in/esp/*.csv", format="csv",
         columns=dict(event_ts="Ts", channel="Canal", purpose="Finalite", status="Statut", email="Adresse")),
    dict(name="stops", kind="suppressions", path="in/stops/*.csv", format="csv",
         columns=dict(contact_point="Numero", channel="Canal", reason="Motif")),
]
ALICE = {"emails": ["alice@x.fr", "alice.old@x.fr"], "phone_digits": "611111111", "ids": ["C1", "crm:1", "crm:3"],
         "name": "Alicia"}
LOADED = datetime(2024, 1, 1)


def _raw(con: duckdb.DuckDBPyConnection) -> None:
    """raw.* with the files' own column names, as ingest lands them."""
    meta = "_file VARCHAR, _line BIGINT, _loaded_at TIMESTAMP, _file_sha256 VARCHAR"
    con.execute(f'CREATE TABLE raw.crm ("ID" VARCHAR, "Mail" VARCHAR, "Tel" VARCHAR, "Prenom" VARCHAR, {meta})')
    con.executemany("INSERT INTO raw.crm VALUES (?, ?, ?, ?, 'f.csv', ?, ?, 'sha')", [
        ("1", " Alice@X.fr", "06 11 11 11 11", "Alicia", 1, LOADED),
        ("3", "alice.old@x.fr", None, "Alicia", 2, LOADED),
        ("2", "bob@y.fr", "06 22 22 22 22", "Bob", 3, LOADED),
    ])
    con.execute(f'CREATE TABLE raw.shop ("Num" VARCHAR, "Client" VARCHAR, "Date" VARCHAR, "Montant" VARCHAR, {meta})')
    con.executemany("INSERT INTO raw.shop VALUES (?, ?, '2023-05-01', '10.00', 'o.csv', ?, ?, 'sha')",
                    [("O1", "1", 1, LOADED), ("O2", "2", 2, LOADED), ("O3", "3", 3, LOADED)])
    con.execute(f'CREATE TABLE raw.esp ("Ts" VARCHAR, "Canal" VARCHAR, "Finalite" VARCHAR, "Statut" VARCHAR, '
                f'"Adresse" VARCHAR, {meta})')
    con.executemany("INSERT INTO raw.esp VALUES ('2023-01-01', 'email', 'newsletter', 'granted', ?, 'c.csv', ?, ?, 'sha')",
                    [("ALICE@x.fr", 1, LOADED), ("bob@y.fr", 2, LOADED)])
    con.execute(f'CREATE TABLE raw.stops ("Numero" VARCHAR, "Canal" VARCHAR, "Motif" VARCHAR, {meta})')
    con.executemany("INSERT INTO raw.stops VALUES (?, 'sms', 'STOP', 's.csv', ?, ?, 'sha')",
                    [("+33 6 11 11 11 11", 1, LOADED), ("0622222222", 2, LOADED)])
    ensure_audit_tables(con)
    con.executemany("INSERT INTO quarantine.rejected_rows VALUES ('crm', 'f.csv', ?, 'bad date', ?, ?)",
                    [(9, "9,ALICE@X.FR,0611111111,Alicia,31/02", LOADED), (10, "10,bob@y.fr,,Bob,31/02", LOADED)])


def _layers(tmp_path, with_staging: bool):
    rows = {}
    if with_staging:
        rows = merge(
            person("C1", "crm:1", email="alice@x.fr", mobile="+33611111111", l4="1 RUE A"),
            person("C2", "crm:2", email="bob@y.fr", mobile="+33622222222", l4="2 RUE B"),
        )
        for rec, first in zip(rows["staging_identity_records"], ("Alicia", "Bob")):
            rec["first_name"] = first
        rows["staging_identity_records"].append(dict(record_id="crm:3", source="crm", source_record_id="3",
                                                     email="alice.old@x.fr", first_name="Alicia"))
        rows["identity_customer_xref"].append(dict(record_id="crm:3", source="crm", source_record_id="3",
                                                   customer_id="C1"))
        rows["staging_orders"] = [dict(record_id=f"shop:O{i}", source="shop", order_id=f"O{i}",
                                       customer_record_key=f"crm:{i}", order_ts="2023-05-01", amount=10,
                                       status="paid") for i in (1, 2, 3)]
        rows["staging_consent_events"] = [
            dict(source="esp", event_id=f"e{c}", event_ts="2023-01-01", channel=ch, purpose="offers",
                 status="granted", email=mail, phone=tel, customer_record_key=f"crm:{c}")
            for c, mail, tel in ((1, "alice@x.fr", "+33611111111"), (2, "bob@y.fr", "+33622222222"))
            for ch in ("email", "sms")]
        rows["staging_suppressions"] = [dict(source="stops", contact_point="+33611111111", contact_point_raw="06 11 11 11 11",
                                             channel="sms", reason="stop_sms", event_ts="2023-02-01")]
        rows["marts_customer_rfm"] = [dict(customer_id="C1", segment="Champions"), dict(customer_id="C2", segment="Champions")]
    cfg = make_cfg(tmp_path, sources=SOURCES, audiences=[dict(name="email_offers", channel="email", purpose="offers")])
    con = make_warehouse(tmp_path / "wh.duckdb", **rows)
    _raw(con)
    if with_staging:
        con.execute("CREATE TABLE staging.customers_crm AS SELECT * FROM staging.identity_records")
        con.execute("CREATE TABLE identity.record_links AS SELECT 'crm:1' AS record_id_l, 'crm:3' AS record_id_r, "
                    "0.99 AS match_probability UNION ALL SELECT 'crm:2', 'crm:9', 0.5")
        build_consent(con, cfg)
        build_suppressions(con, cfg)
        build_audiences(con, cfg, "run-1", date(2024, 1, 2))
        write_exports(con, cfg)
        assert "alice" in (tmp_path / "exports" / "email_offers.csv").read_text(encoding="utf-8")
    con.execute("INSERT INTO gdpr.erasure_requests (request_id, received_ts, email, status) "
                "VALUES ('R1', '2024-01-03', ' ALICE@x.fr', 'pending')")
    return con, cfg


def _leaks(con: duckdb.DuckDBPyConnection, needles: dict) -> list[str]:
    """'schema.table.column' for every cell outside gdpr/audit holding one of Alice's identifiers."""
    found = []
    cols = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                       "WHERE table_catalog = current_database() AND table_schema NOT IN ('gdpr', 'audit')").fetchall()
    for schema, table, column in cols:
        values = con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM {schema}."{table}" '
                             f'WHERE "{column}" IS NOT NULL').fetchall()
        for (v,) in values:
            text, digits = v.lower(), re.sub(r"\D", "", v)
            if (any(e in text for e in needles["emails"]) or needles["phone_digits"] in digits
                    or v in needles["ids"] or (needles["name"] and needles["name"].lower() in text)):
                found.append(f"{schema}.{table}.{column}")
    return sorted(set(found))


def _bob_rows(con: duckdb.DuckDBPyConnection) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {t} WHERE {p}").fetchone()[0] for t, p in (
        ("raw.crm", "\"ID\" = '2'"), ("raw.shop", "\"Client\" = '2'"), ("raw.esp", "\"Adresse\" = 'bob@y.fr'"),
        ("raw.stops", "\"Numero\" = '0622222222'"), ("quarantine.rejected_rows", "raw_text LIKE '%bob%'")))


def test_erased_person_leaves_no_trace_in_any_layer(tmp_path):
    con, cfg = _layers(tmp_path, with_staging=True)
    bob_before = _bob_rows(con)
    apply_erasure(con, cfg)
    assert _leaks(con, ALICE) == []
    assert _bob_rows(con) == bob_before == 5
    assert con.execute("SELECT count(*) FROM marts.golden_customers WHERE customer_id = 'C2'").fetchone()[0] == 1
    for export in (tmp_path / "exports").glob("*.csv"):
        text = export.read_text(encoding="utf-8").lower()
        assert "alice" not in text and "611111111" not in text and "c1," not in text
    # gdpr.* keeps hashes only: no clear identifier, but a tombstone per email and phone of the person
    gdpr = [r for t in ("erasure_tombstones", "erasure_requests", "erasure_log")
            for r in con.execute(f"SELECT * FROM gdpr.{t}").fetchall()]
    assert not any(any(n in str(cell).lower() for n in ("alice", "611111111")) for row in gdpr for cell in row)
    assert con.execute("SELECT count(*) FROM gdpr.erasure_tombstones").fetchone()[0] >= 3  # 2 emails + 1 phone
    assert con.execute("SELECT status FROM gdpr.erasure_requests").fetchone()[0] == "applied"


def test_erasure_in_the_same_run_as_the_data_uses_raw(tmp_path):
    """Staging not built yet: the person is found in raw by the request's email, with their orders."""
    con, cfg = _layers(tmp_path, with_staging=False)
    apply_erasure(con, cfg)
    # The second record (other email) can't be tied to the person without staging/identity: only
    # what the request's identifiers reach, and everything keyed by the records they reach, must go.
    assert con.execute("""SELECT count(*) FROM raw.shop WHERE "Client" = '1'""").fetchone()[0] == 0
    assert _leaks(con, {**ALICE, "emails": ["alice@x.fr"], "ids": ["C1", "crm:1"], "name": None}) == []
    assert _bob_rows(con) == 5
