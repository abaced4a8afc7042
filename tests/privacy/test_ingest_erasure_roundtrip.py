"""An erased person does not come back with the next extract, whatever the formatting.

Why end to end (load -> erasure -> load again): the tombstone is written by the privacy code
and read by the ingest filter; the two must normalise identifiers the same way, or a
re-formatted phone ("06 11 11 11 11" vs "+33611111111") or a re-cased email slips through.
The erasure here is applied in the same run as the first extract (staging not built).
"""

from __future__ import annotations

from cdp_pipeline.config import load_config
from cdp_pipeline.ingest.erasure_filter import ingest_erasure_filter
from cdp_pipeline.ingest.load import load_source
from cdp_pipeline.privacy import apply_erasure
from cdp_pipeline.warehouse import connect

CONFIG = """
warehouse: wh.duckdb
exports_dir: exports
sources:
  - name: crm
    kind: customers
    path: in/crm/*.csv
    format: csv
    columns: {source_record_id: ID, email: Mail, phone: Tel, first_name: Prenom}
  - name: esp
    kind: consent_events
    path: in/esp/*.csv
    format: csv
    columns: {event_ts: Ts, channel: Canal, purpose: Finalite, status: Statut, email: Adresse}
  - name: shop
    kind: orders
    path: in/shop/*.csv
    format: csv
    customer_source: crm
    columns: {order_id: Num, customer_record_id: Client, order_ts: Date, amount: Montant}
  - name: stops
    kind: suppressions
    path: in/stops/*.csv
    format: csv
    columns: {contact_point: Numero, channel: Canal, reason: Motif}
"""


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_next_extract_of_an_erased_person_is_not_loaded(make_config, tmp_path):
    cfg = load_config(make_config(CONFIG))
    _write(tmp_path, "in/crm/c1.csv", "ID,Mail,Tel,Prenom\n1,alice@x.fr,06 11 11 11 11,Alicia\n2,bob@y.fr,0622222222,Bob\n")
    _write(tmp_path, "in/esp/e1.csv", "Ts,Canal,Finalite,Statut,Adresse\n2024-01-01,email,offers,granted,alice@x.fr\n")
    _write(tmp_path, "in/shop/o1.csv", "Num,Client,Date,Montant\nO1,1,2024-01-01,10.00\n")
    with connect(cfg.warehouse) as con:
        assert ingest_erasure_filter(cfg) is None or ingest_erasure_filter(cfg)(con, "_incoming", cfg.source("crm")) is None
        for name in ("crm", "esp", "shop"):
            load_source(con, cfg.source(name))
        con.execute("INSERT INTO gdpr.erasure_requests (request_id, received_ts, email, status) "
                    "VALUES ('R1', '2024-02-01', 'Alice@X.fr', 'pending')")
        metrics = apply_erasure(con, cfg)
        assert metrics["requests_applied"] == 1
        assert con.execute("""SELECT count(*) FROM raw.crm WHERE "ID" = '1'""").fetchone()[0] == 0
        assert con.execute("""SELECT count(*) FROM raw.shop WHERE "Client" = '1'""").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM raw.esp").fetchone()[0] == 0

        # Next extracts: same person, other formatting; found by phone alone in the second row.
        _write(tmp_path, "in/crm/c2.csv",
               "ID,Mail,Tel,Prenom\n1, ALICE@x.FR ,+33 6 11 11 11 11,Alicia\n7,,06.11.11.11.11,Alicia\n3,carl@z.fr,,Carl\n")
        _write(tmp_path, "in/esp/e2.csv", "Ts,Canal,Finalite,Statut,Adresse\n2024-03-01,email,offers,granted,ALICE@X.FR\n")
        _write(tmp_path, "in/stops/s1.csv", "Numero,Canal,Motif\n06 11 11 11 11,sms,stop_sms\n"
               "Alice@x.fr,email,hard_bounce\n0622222222,sms,stop_sms\n12 RUE A 75001,post,npai\n")
        erased = ingest_erasure_filter(cfg)
        assert erased is not None
        [crm] = [r for r in load_source(con, cfg.source("crm"), erasure_filter=erased) if r.status == "loaded"]
        [esp] = [r for r in load_source(con, cfg.source("esp"), erasure_filter=erased) if r.status == "loaded"]
        assert (crm.rows_read, crm.rows_loaded, crm.rows_erased) == (3, 1, 2)
        assert (esp.rows_loaded, esp.rows_erased) == (0, 1)
        [stops] = load_source(con, cfg.source("stops"), erasure_filter=erased)
        assert (stops.rows_loaded, stops.rows_erased) == (2, 2)
        assert con.execute("""SELECT list("ID" ORDER BY "ID") FROM raw.crm""").fetchone()[0] == ["2", "3"]
        # the audit trail counts erased rows and holds no identifier
        audit = con.execute("SELECT * FROM audit.file_loads").fetchall()
        assert sum(r[7] for r in audit) == 5
        assert not any("alice" in str(cell).lower() for row in audit for cell in row)


def test_person_known_only_by_customer_number_stays_erased(make_config, tmp_path):
    """A shop customer with no email or phone, erased by their customer number (loyalty desk),
    before staging has run: their record and orders go, and tomorrow's extract does not bring them back."""
    cfg = load_config(make_config(CONFIG))
    _write(tmp_path, "in/crm/c1.csv", "ID,Mail,Tel,Prenom\n5,,,Dan\n2,bob@y.fr,0622222222,Bob\n")
    _write(tmp_path, "in/shop/o1.csv", "Num,Client,Date,Montant\nO5,5,2024-01-01,10.00\nO2,2,2024-01-01,12.00\n")
    with connect(cfg.warehouse) as con:
        for name in ("crm", "shop"):
            load_source(con, cfg.source(name))
        con.execute("INSERT INTO gdpr.erasure_requests (request_id, received_ts, customer_record_id, status) "
                    "VALUES ('R2', '2024-02-01', 'crm:5', 'pending')")
        assert apply_erasure(con, cfg)["requests_applied"] == 1
        assert con.execute("""SELECT list("ID") FROM raw.crm""").fetchone()[0] == ["2"]
        assert con.execute("""SELECT list("Client") FROM raw.shop""").fetchone()[0] == ["2"]

        _write(tmp_path, "in/crm/c2.csv", "ID,Mail,Tel,Prenom\n 5 ,,,Dan\n2,bob@y.fr,0622222222,Bob\n")
        _write(tmp_path, "in/shop/o2.csv", "Num,Client,Date,Montant\nO6,5,2024-03-01,10.00\n")
        erased = ingest_erasure_filter(cfg)
        [crm] = [r for r in load_source(con, cfg.source("crm"), erasure_filter=erased) if r.status == "loaded"]
        [shop] = [r for r in load_source(con, cfg.source("shop"), erasure_filter=erased) if r.status == "loaded"]
        assert (crm.rows_loaded, crm.rows_erased, shop.rows_loaded, shop.rows_erased) == (1, 1, 0, 1)
        assert "crm:5" not in str(con.execute("SELECT * FROM gdpr.erasure_tombstones").fetchall())
