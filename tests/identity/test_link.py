"""End-to-end identity runs on a warehouse in tmp_path: traps, tables, incremental runs, models."""

from __future__ import annotations

from dataclasses import replace

import json
from datetime import date

import pytest

from cdp_pipeline.identity.link import link
from cdp_pipeline.identity.train import latest_model, retrain
from cdp_pipeline.warehouse import connect
from tests.identity.records import make_config, synthetic_people, write_records

ADDRESS = {"street_number": "7", "street_name": "RUE DES TILLEULS", "postcode": "35000",
           "city": "RENNES", "commune_code": "35238", "departement": "35"}


def _rec(source: str, rid: str, **values) -> dict:
    return {"source": source, "source_record_id": rid, **values}


TRAPS = [
    # A household: same address, landline and family mailbox, different people.
    _rec("pos", "hh1", first_name_std="ZORAN", last_name_std="KOWALSKI", birth_date=date(1961, 3, 2),
         email="famille.kowalski@free.fr", phone="+33299112233", **ADDRESS),
    _rec("web", "hh2", first_name_std="MILA", last_name_std="KOWALSKI", birth_date=date(1964, 8, 19),
         email="famille.kowalski@free.fr", phone="+33299112233", **ADDRESS),
    _rec("crm", "hh3", first_name_std="BORIS", last_name_std="KOWALSKI", birth_date=date(1992, 1, 30),
         email="famille.kowalski@free.fr", phone="+33299112233", **ADDRESS),
    # Twins: same birth date and address, different first names.
    _rec("pos", "tw1", first_name_std="ADAM", last_name_std="NOWAK", birth_date=date(1999, 5, 5), **ADDRESS),
    _rec("web", "tw2", first_name_std="EWA", last_name_std="NOWAK", birth_date=date(1999, 5, 5), **ADDRESS),
    # One loyalty card, otherwise nothing in common: the card is authoritative.
    _rec("pos", "ly1", first_name_std="IGOR", last_name_std="PETROV", loyalty_id="LOY-777"),
    _rec("web", "ly2", first_name_std="I", last_name_std="PETROFF", birth_date=date(1980, 2, 2),
         loyalty_id="LOY-777"),
    # A typo'd surname with the same email and birth date: the same person.
    _rec("pos", "ty1", first_name_std="OLGA", last_name_std="SMIRNOVA", birth_date=date(1975, 11, 23),
         email="olga.smirnova@gmail.com"),
    _rec("web", "ty2", first_name_std="OLGA", last_name_std="SMIRNOVQA", birth_date=date(1975, 11, 23),
         email="olga.smirnova@gmail.com"),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("identity")
    cfg = make_config(tmp)
    rows, _ = synthetic_people(250)
    with connect(cfg.warehouse) as con:
        write_records(con, rows + TRAPS)
        metrics = link(con, cfg, run_id="run-1")
        yield cfg, con, metrics, rows


def _customer(con, record_id: str) -> str:
    return con.execute("SELECT customer_id FROM identity.customer_xref WHERE record_id = ?",
                       [record_id]).fetchone()[0]


def test_traps(linked):
    _, con, _, _ = linked
    household = {_customer(con, f"{s}:hh{i}") for i, s in ((1, "pos"), (2, "web"), (3, "crm"))}
    assert len(household) == 3, "a household must not merge"
    assert _customer(con, "pos:tw1") != _customer(con, "web:tw2"), "twins must not merge"
    assert _customer(con, "pos:ly1") == _customer(con, "web:ly2"), "same loyalty card must merge"
    assert _customer(con, "pos:ty1") == _customer(con, "web:ty2"), "a surname typo must not split"


def test_tables_and_metrics(linked):
    cfg, con, metrics, rows = linked
    n = len(rows) + len(TRAPS)
    assert con.execute("SELECT count(*), count(DISTINCT record_id) FROM identity.customer_xref").fetchone() == (n, n)
    assert con.execute(
        "SELECT count(*) FROM identity.record_links WHERE match_probability < ? OR run_id <> 'run-1' "
        "OR record_id_l >= record_id_r", [cfg.identity.link_floor]).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM identity.customer_xref WHERE customer_id NOT SIMILAR TO 'C[0-9]{9}'"
                       ).fetchone()[0] == 0
    assert metrics["mode"] == "full" and metrics["records"] == n
    assert sum(metrics["cluster_size_distribution"].values()) == metrics["clusters"]
    phases = {k.removeprefix("seconds_") for k in metrics if k.startswith("seconds_")}
    assert phases == {"input", "train", "predict", "cluster", "ids", "metrics"}
    assert all(metrics[f"seconds_{p}"] >= 0 for p in phases)
    text = json.dumps(metrics)
    for value in ("KOWALSKI", "OLGA", "famille", "LOY-777", "pos:"):
        assert value not in text, "metrics must hold no personal data"
    for path in metrics["artifacts"]:
        assert path.endswith(".html")
    (version, path, records) = con.execute("SELECT model_version, path, records FROM identity.models").fetchone()
    assert version == metrics["model_version"] and records == n and path.endswith(f"model_{version}.json")


def test_incremental_matches_full(linked, tmp_path):
    """Change, add and remove records; an incremental run must cluster like a full one."""
    cfg, con, _, rows = linked
    changed = [dict(r) for r in rows]
    for r in changed[::17]:
        r["last_name_std"] = r["last_name_std"] + "E"
    added = [dict(r, source="web", source_record_id=f"new-{i}", email=None) for i, r in enumerate(changed[5:40:7])]
    current = changed[3:] + added + TRAPS
    write_records(con, current)
    before = dict(con.execute("SELECT record_id, customer_id FROM identity.customer_xref").fetchall())
    incremental = link(con, cfg, run_id="run-2", charts=False)
    assert incremental["mode"] == "incremental"
    # only the clusters the changes touch are clustered again (recluster.py), yet ids match a full run
    assert 0 < incremental["reclustered"] < incremental["records"]
    inc = _partition(con)
    xref = dict(con.execute("SELECT record_id, customer_id FROM identity.customer_xref").fetchall())
    redirects = con.execute("SELECT old_id, new_id, reason FROM identity.customer_id_redirects").fetchall()
    live = set(xref.values())
    for old_id in set(before.values()) - live:
        assert any(r[0] == old_id for r in redirects), "an id vanished without a redirect"

    written = _identity_tables(con)  # an incremental night writes back only its changes

    full = link(con, cfg, run_id="run-3", mode="full", charts=False)
    assert full["mode"] == "full" and full["reclustered"] == full["records"]
    assert _partition(con) == inc
    assert dict(con.execute("SELECT record_id, customer_id FROM identity.customer_xref").fetchall()) == xref
    assert _identity_tables(con) == written  # ... and they end as a full write-back leaves them


def _identity_tables(con) -> dict[str, list]:
    """The identity tables' rows, without the run that wrote them (kept rows keep their run)."""
    return {t: sorted(map(str, con.execute(f"SELECT * EXCLUDE (run_id) FROM identity.{t}").fetchall()))
            for t in ("record_links", "record_hashes")} | {
        "customer_xref": sorted(map(str, con.execute("SELECT * FROM identity.customer_xref").fetchall()))}


def _partition(con) -> set[frozenset[str]]:
    groups = con.execute("SELECT list(record_id) FROM identity.customer_xref GROUP BY customer_id").fetchall()
    return {frozenset(g) for (g,) in groups}


def test_model_is_reused_then_retrained(linked):
    cfg, con, _, _ = linked
    first = latest_model(con)
    again = link(con, cfg, charts=False)
    assert again["model_version"] == first.version and again["mode"] == "incremental"
    assert again["comparisons"] is None  # nothing changed: nothing scored
    assert again["reclustered"] == 0
    stricter = link(con, replace(cfg, identity=replace(cfg.identity, match_threshold=0.999)), charts=False)
    assert stricter["mode"] == "incremental" and stricter["reclustered"] == stricter["records"]
    new = retrain(con, cfg)
    assert new.version != first.version and latest_model(con).version == new.version
    assert link(con, cfg, charts=False)["mode"] == "full"  # scores of two models never mix


def test_small_input_still_links(tmp_path):
    """EM can underflow on little data; the run must still produce a complete xref."""
    cfg = make_config(tmp_path)
    rows, _ = synthetic_people(100)
    with connect(cfg.warehouse) as con:
        write_records(con, rows)
        metrics = link(con, cfg, charts=False)
        assert metrics["records"] == len(rows)
        assert con.execute("SELECT count(*) FROM identity.customer_xref").fetchone()[0] == len(rows)
        tables = {t for (t,) in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
        assert not any("splink" in t for t in tables), "Splink scratch tables must stay out of the warehouse"


def test_empty_input_leaves_tables_alone(tmp_path):
    cfg = make_config(tmp_path)
    with connect(cfg.warehouse) as con:
        write_records(con, [])
        assert link(con, cfg) == {"records": 0, "mode": "skipped"}
