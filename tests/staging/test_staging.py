"""Staging builders on tiny hand-made extracts: typing, latest version, contact points, shared flags."""

from __future__ import annotations

import json

import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.ingest.load import load_source
from cdp_pipeline.staging import build
from cdp_pipeline.warehouse import connect

CONFIG = """
warehouse: wh.duckdb
identity:
  shared_identifier_max_people: 2
sources:
  - name: pos
    kind: customers
    path: pos*.csv
    format: csv
    delimiter: ";"
    encoding: cp1252
    date_format: "%d/%m/%Y"
    trust: 3
    columns: {source_record_id: ID, first_name: PRENOM, last_name: NOM, email: EMAIL, phone: TEL, postcode: CP, city: VILLE, address_line1: ADR}
  - name: orders
    kind: orders
    customer_source: pos
    path: orders.csv
    format: csv
    delimiter: ";"
    date_format: "%d/%m/%Y"
    timestamp_format: "%d/%m/%Y %H:%M"
    decimal_separator: ","
    columns: {order_id: T, customer_record_id: ID, order_ts: D, amount: M, status: S}
  - name: consent
    kind: consent_events
    path: consent.jsonl
    format: jsonl
    columns: {event_ts: ts, channel: ch, purpose: p, status: st, email: email, phone: phone}
  - name: supp
    kind: suppressions
    path: supp.csv
    format: csv
    columns: {contact_point: c, channel: ch, reason: r}
"""


@pytest.fixture
def wh(tmp_path, make_config):
    (tmp_path / "pos1.csv").write_text(
        "ID;PRENOM;NOM;EMAIL;TEL;CP;VILLE;ADR\n"
        "1;JEAN;DUPONT;JEAN@ORANGE.FR;06 11 22 33 44;69002;LYON;12 RUE DE LA REPUBLIQUE\n"
        "2;ANNE;DUPONT;shop@magasin.fr;0611223344;69002;LYON;12 RUE DE LA REPUBLIQUE\n"
        "3;LUC;MARTIN;shop@magasin.fr;;75001;PARIS;1 RUE DE RIVOLI\n"
        "4;ZOE;DURAND;shop@magasin.fr;;75001;PARIS;1 RUE DE RIVOLI\n",
        encoding="cp1252")
    (tmp_path / "pos2.csv").write_text(  # a later extract of record 1: latest version wins
        "ID;PRENOM;NOM;EMAIL;TEL;CP;VILLE;ADR\n1;JEAN;DUPONT;jean.dupont@orange.fr;06 11 22 33 44;69002;LYON;\n",
        encoding="cp1252")
    (tmp_path / "orders.csv").write_text("T;ID;D;M;S\nA;1;02/03/2025 10:30;12,50;payée\nB;2;03/03/2025;-;retour\n"
                                         "C;2;04/03/2025 09:00;7,00;bizarre\n", encoding="utf-8")
    (tmp_path / "consent.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"ts": "2025-01-02T10:00:00", "ch": "E-mail", "p": "Newsletter", "st": "opt-in", "email": " JEAN@Orange.fr "},
        {"ts": "2025-01-03T10:00:00", "ch": "sms", "p": "offers", "st": "opt-out", "phone": "06 11 22 33 44"},
    ]) + "\n", encoding="utf-8")
    (tmp_path / "supp.csv").write_text("c,ch,r\n+33 6 11 22 33 44,sms,STOP\nJEAN@orange.fr,email,bounce\n"
                                       "12 rue de la République 69002 Lyon,courrier,NPAI\n", encoding="utf-8")
    cfg = load_config(make_config(CONFIG))
    with connect(cfg.warehouse) as con:
        for s in cfg.sources:
            load_source(con, s)
        for s in cfg.sources_of("customers"):
            build.build_customers_source(con, s)
        build.build_identity_records(con, cfg)
        build.build_orders(con, cfg)
        build.build_consent_events(con, cfg)
        build.build_suppressions(con, cfg)
        yield con


def test_latest_version_per_record_and_standardised(wh):
    rows = wh.execute("SELECT record_id, email, phone, trust FROM staging.identity_records ORDER BY record_id").fetchall()
    assert rows[0] == ("pos:1", "jean.dupont@orange.fr", "+33611223344", 3)
    assert len(rows) == 4


def test_identifier_shared_by_many_people_is_flagged(wh):
    flags = dict(wh.execute("SELECT source_record_id, email_flag FROM staging.identity_records").fetchall())
    assert flags["3"] == flags["4"] == flags["2"] == "shared"  # 3 first names > max 2 people
    phones = dict(wh.execute("SELECT source_record_id, phone_flag FROM staging.identity_records").fetchall())
    assert phones["1"] == phones["2"] == "ok"  # 2 people: not over the limit


def test_orders_typed_with_source_formats(wh):
    rows = wh.execute("SELECT order_id, strftime(order_ts, '%Y-%m-%d %H:%M'), amount, status, status_unknown, "
                      "customer_record_key FROM staging.orders ORDER BY order_id").fetchall()
    assert rows[0] == ("A", "2025-03-02 10:30", 12.5, "paid", False, "pos:1")
    assert [r[0] for r in rows] == ["A", "C"]  # B's amount is unparseable: quarantined at ingest
    assert rows[1][3:5] == ("paid", True)  # unknown status kept visible for quality checks


def test_consent_events_normalised(wh):
    rows = wh.execute("SELECT channel, purpose, status, email, phone FROM staging.consent_events ORDER BY event_ts").fetchall()
    assert rows == [("email", "newsletter", "granted", "jean@orange.fr", None),
                    ("sms", "offers", "withdrawn", None, "+33611223344")]


def test_suppression_contact_points_standardised_per_channel(wh):
    rows = dict(wh.execute("SELECT channel, contact_point FROM staging.suppressions").fetchall())
    assert rows["sms"] == "+33611223344"
    assert rows["email"] == "jean@orange.fr"
    assert rows["post"] == "12 RUE DE LA REPUBLIQUE 69002"
    reasons = sorted(r[0] for r in wh.execute("SELECT reason FROM staging.suppressions").fetchall())
    assert reasons == ["hard_bounce", "npai", "stop_sms"]


def test_config_without_a_kind_gives_empty_tables(tmp_path, make_config):
    cfg = load_config(make_config("warehouse: wh.duckdb\nsources: []\n"))
    with connect(cfg.warehouse) as con:
        assert build.build_identity_records(con, cfg) == 0
        assert build.build_orders(con, cfg) == 0
        assert build.build_consent_events(con, cfg) == 0
        assert build.build_suppressions(con, cfg) == 0
        cols = {r[0] for r in con.execute("DESCRIBE staging.identity_records").fetchall()}
        assert {"record_id", "first_name_std", "email_flag", "address_l4"} <= cols


def test_address_used_by_many_surnames_is_flagged_shared(tmp_path, make_config):
    cfg = load_config(make_config(CONFIG))
    rows = ["ID;PRENOM;NOM;EMAIL;TEL;CP;VILLE;ADR"] + [
        f"{i};P{i};{name};;;75001;PARIS;1 RUE DE RIVOLI" for i, name in enumerate(["ABEL", "BRUN", "CARON", "DIDIER"])
    ] + ["9;JEAN;DUPONT;;;69002;LYON;12 RUE DE LA REPUBLIQUE", "10;ANNE;DUPONT;;;69002;LYON;12 RUE DE LA REPUBLIQUE"]
    (tmp_path / "pos1.csv").write_text("\n".join(rows) + "\n", encoding="cp1252")
    with connect(cfg.warehouse) as con:
        load_source(con, cfg.source("pos"))
        build.build_customers_source(con, cfg.source("pos"))
        build.build_identity_records(con, cfg)
        status = dict(con.execute("SELECT source_record_id, address_status FROM staging.identity_records").fetchall())
    assert {status[str(i)] for i in range(4)} == {"shared"}  # a shop address: 4 surnames > 2
    assert status["9"] == status["10"] == "validated"  # a household keeps its address


def _staged(con, table="staging.customers_pos"):
    return con.execute(f"SELECT * EXCLUDE (loaded_at) FROM {table} ORDER BY source_record_id").fetchall()


def test_incremental_build_restandardises_only_new_versions_and_matches_a_full_rebuild(wh, tmp_path):
    [pos] = [s for s in load_config(tmp_path / "cdp.yaml").sources if s.name == "pos"]
    assert build.build_customers_source(wh, pos) == 0  # nothing loaded since the last build
    (tmp_path / "pos3.csv").write_text(  # record 3 edited, record 5 new
        "ID;PRENOM;NOM;EMAIL;TEL;CP;VILLE;ADR\n3;Luc;Martin;luc.martin@free.fr;;75001;PARIS;1 RUE DE RIVOLI\n"
        "5;Eve;Petit;;;13001;Marseille;2 la Canebière\n", encoding="cp1252")
    load_source(wh, pos)
    assert build.build_customers_source(wh, pos) == 2
    incremental = _staged(wh)
    assert [r[0] for r in incremental] == ["1", "2", "3", "4", "5"]
    wh.execute("DELETE FROM staging.build_state")  # forces a full rebuild of the same raw rows
    assert build.build_customers_source(wh, pos) == 5
    assert _staged(wh) == incremental


def test_changed_source_config_rebuilds_the_staged_table(wh, tmp_path):
    from dataclasses import replace

    [pos] = [s for s in load_config(tmp_path / "cdp.yaml").sources if s.name == "pos"]
    assert build.build_fingerprint(replace(pos, trust=1)) != build.build_fingerprint(pos)
    assert build.build_customers_source(wh, replace(pos, trust=1)) == 4
    assert {t for (t,) in wh.execute("SELECT DISTINCT trust FROM staging.customers_pos").fetchall()} == {1}


def test_moved_landing_folder_keeps_the_staged_table(wh, tmp_path):
    """Where and how files are read does not change what staging makes of the raw rows: a project
    moved elsewhere (absolute paths change) must not restandardise every record."""
    from dataclasses import replace

    [pos] = [s for s in load_config(tmp_path / "cdp.yaml").sources if s.name == "pos"]
    moved = replace(pos, path=str(tmp_path / "elsewhere" / "pos*.csv"), encoding="utf-8", description="moved")
    assert build.build_customers_source(wh, moved) == 0


def test_contact_point_lookups_are_reused_and_rebuilt_when_the_code_changes(wh, tmp_path):
    cfg = load_config(tmp_path / "cdp.yaml")
    first = wh.execute("SELECT * FROM staging.consent_events ORDER BY ALL").fetchall()
    cached = wh.execute("SELECT * FROM staging.email_lookup ORDER BY ALL").fetchall()
    assert ("JEAN@orange.fr", "jean@orange.fr", "ok") in cached  # suppressions' raw email
    wh.execute("UPDATE staging.email_lookup SET email_flag = 'stale'")  # what old code would have left
    build.build_consent_events(wh, cfg)  # same code: the lookup is trusted as is
    assert {f for (f,) in wh.execute("SELECT DISTINCT email_flag FROM staging.email_lookup").fetchall()} == {"stale"}
    wh.execute("UPDATE staging.build_state SET fingerprint = 'older code' WHERE table_name = 'staging.email_lookup'")
    build.build_consent_events(wh, cfg)  # other code: emptied and standardised again
    assert wh.execute("SELECT * FROM staging.consent_events ORDER BY ALL").fetchall() == first
    assert "stale" not in {f for (f,) in wh.execute("SELECT DISTINCT email_flag FROM staging.email_lookup").fetchall()}


def test_orders_are_built_incrementally_like_a_full_rebuild(wh, tmp_path):
    cfg = load_config(tmp_path / "cdp.yaml")
    [orders] = cfg.sources_of("orders")
    assert build.build_orders(wh, cfg) == 0  # nothing loaded since the last build
    (tmp_path / "orders.csv").write_text("T;ID;D;M;S\nA;1;02/03/2025 10:30;15,00;remboursée\nD;1;05/03/2025;3,00;payée\n",
                                         encoding="utf-8")  # same file name, new content: a new load
    load_source(wh, orders)
    assert build.build_orders(wh, cfg) == 2  # order A's new version, order D
    incremental = wh.execute("SELECT * EXCLUDE (loaded_at) FROM staging.orders ORDER BY record_id").fetchall()
    assert [r[0] for r in incremental] == ["orders:A", "orders:C", "orders:D"]  # B was quarantined (amount "-")
    wh.execute("DELETE FROM staging.build_state WHERE table_name = 'staging.orders'")
    assert build.build_orders(wh, cfg) == 3
    assert wh.execute("SELECT * EXCLUDE (loaded_at) FROM staging.orders ORDER BY record_id").fetchall() == incremental


def _consent_events(con):
    return sorted(con.execute("SELECT * FROM staging.consent_events").fetchall(), key=str)


def test_consent_events_are_appended_incrementally_like_a_full_rebuild(wh, tmp_path):
    cfg = load_config(tmp_path / "cdp.yaml")
    [consent] = cfg.sources_of("consent_events")
    assert build.build_consent_events(wh, cfg) == 0  # nothing loaded since the last build
    (tmp_path / "consent.jsonl").write_text("\n".join(json.dumps(r) for r in [  # sent again, one more line
        {"ts": "2025-01-02T10:00:00", "ch": "E-mail", "p": "Newsletter", "st": "opt-in", "email": " JEAN@Orange.fr "},
        {"ts": "2025-01-03T10:00:00", "ch": "sms", "p": "offers", "st": "opt-out", "phone": "06 11 22 33 44"},
        {"ts": "2025-02-01T08:00:00", "ch": "email", "p": "offers", "st": "opt-in", "email": "Anne@Orange.fr"},
    ]) + "\n", encoding="utf-8")
    load_source(wh, consent)
    assert build.build_consent_events(wh, cfg) == 3  # the new load's rows, standardised like the first
    incremental = _consent_events(wh)
    assert len(incremental) == 5 and ("anne@orange.fr", "Anne@Orange.fr") in {(r[6], r[7]) for r in incremental}
    wh.execute("DELETE FROM staging.build_state WHERE table_name = 'staging.consent_events'")
    assert build.build_consent_events(wh, cfg) == 5
    assert _consent_events(wh) == incremental


def _identity_records(con):
    return con.execute("SELECT * EXCLUDE (loaded_at) FROM staging.identity_records ORDER BY record_id").fetchall()


def _flags(con):
    return {r: (e, p) for r, e, p in con.execute(
        "SELECT source_record_id, email_flag, phone_flag FROM staging.identity_records").fetchall()}


def test_identity_records_are_built_incrementally_like_a_full_rebuild(wh, tmp_path):
    """New and changed records move values over and under the sharing limit for records that did
    not change; a removed record brings a value back under it."""
    cfg = load_config(tmp_path / "cdp.yaml")
    pos = cfg.source("pos")
    # nothing staged since the last build: only the holders of a shared value (the shop email)
    assert build.build_identity_records(wh, cfg) == 3
    (tmp_path / "pos3.csv").write_text(  # Luc leaves the shop email; Paul is a third person on Jean's phone
        "ID;PRENOM;NOM;EMAIL;TEL;CP;VILLE;ADR\n3;LUC;MARTIN;luc.martin@free.fr;;75001;PARIS;1 RUE DE RIVOLI\n"
        "5;PAUL;DUPONT;;06 11 22 33 44;69002;LYON;12 RUE DE LA REPUBLIQUE\n", encoding="cp1252")
    load_source(wh, pos)
    build.build_customers_source(wh, pos)
    assert build.build_identity_records(wh, cfg) == 5  # 3 and 5, and 1, 2, 4 whose flags change
    flags = _flags(wh)
    assert flags["1"] == flags["2"] == ("ok", "shared") and flags["5"][1] == "shared"
    assert flags["4"][0] == "ok"  # shop email: two people now
    incremental = _identity_records(wh)
    wh.execute("DELETE FROM staging.build_state WHERE table_name = 'staging.identity_records'")
    assert build.build_identity_records(wh, cfg) == 5
    assert _identity_records(wh) == incremental

    for table in ("staging.customers_pos", "staging.identity_records"):  # what an erasure sweep does
        wh.execute(f"DELETE FROM {table} WHERE record_id = 'pos:5'")
    build.build_identity_records(wh, cfg)
    assert _flags(wh)["1"] == ("ok", "ok")
    incremental = _identity_records(wh)
    wh.execute("DELETE FROM staging.build_state WHERE table_name = 'staging.identity_records'")
    build.build_identity_records(wh, cfg)
    assert _identity_records(wh) == incremental
