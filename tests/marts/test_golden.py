"""Survivorship: which value wins, why (provenance), and that known-bad values never win."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cdp_pipeline.config import ConfigError
from cdp_pipeline.marts.golden import build_golden_customers
from cdp_pipeline.marts.settings import survivorship_rules
from tests.marts.fixtures import config, person, write_inputs

OLD, NEW = dt.datetime(2023, 1, 1), dt.datetime(2025, 1, 1)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield c
    c.close()


def golden(con, tmp_path, **survivorship) -> dict:
    build_golden_customers(con, config(tmp_path, survivorship=survivorship))
    cur = con.execute("SELECT * FROM marts.golden_customers ORDER BY customer_id")
    names = [d[0] for d in cur.description]
    return {row[0]: dict(zip(names, row)) for row in cur.fetchall()}


def provenance(con, customer_id: str, field: str) -> tuple:
    return con.execute(
        "SELECT value_record_id, rule FROM marts.golden_customer_provenance WHERE customer_id = ? AND field = ?",
        [customer_id, field]).fetchone()


def test_trust_beats_recency_by_default_and_recency_wins_when_configured_first(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", first_name="Jean", trust=3, updated_at=OLD),
        person("web:1", "C1", first_name="Jeannot", trust=1, updated_at=NEW),
    ])
    assert golden(con, tmp_path)["C1"]["first_name"] == "Jean"
    assert provenance(con, "C1", "first_name") == ("crm:1", "trust")

    g = golden(con, tmp_path, fields={"first_name": ["not_bad", "most_recent", "trust"]})
    assert g["C1"]["first_name"] == "Jeannot"
    assert provenance(con, "C1", "first_name") == ("web:1", "most_recent")


def test_most_recent_ties_on_update_time_are_decided_by_load_time(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", first_name="Anne", updated_at=NEW, loaded_at=OLD),
        person("web:1", "C1", first_name="Annie", updated_at=NEW, loaded_at=NEW),
    ])
    assert golden(con, tmp_path, default=["most_recent"])["C1"]["first_name"] == "Annie"
    assert provenance(con, "C1", "first_name") == ("web:1", "most_recent")


def test_provenance_names_only_value_and_full_tie(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", last_name="Martin"),
        person("crm:2", "C2", last_name="Durand"), person("web:2", "C2", last_name="Dupont"),
        person("crm:3", "C3", last_name="Petit"), person("web:3", "C3", last_name="Petit"),
    ])
    golden(con, tmp_path)
    assert provenance(con, "C1", "last_name") == ("crm:1", "only_value")
    assert provenance(con, "C2", "last_name") == ("crm:2", "record_id")
    assert provenance(con, "C3", "last_name") == ("crm:3", "only_value")


def test_most_frequent_email_and_phone_types(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", email="a@ex.fr", trust=3, phone="+33612345678", phone_type="mobile"),
        person("web:1", "C1", email="b@ex.fr", phone="+33140000000", phone_type="landline"),
        person("web:2", "C1", email="b@ex.fr", phone="+33970000000", phone_type="voip", updated_at=NEW),
    ])
    g = golden(con, tmp_path, fields={"email": ["not_bad", "most_frequent", "trust"]})["C1"]
    assert g["email"] == "b@ex.fr"
    assert provenance(con, "C1", "email")[1] == "most_frequent"
    assert (g["mobile"], g["landline"]) == ("+33612345678", "+33970000000")


def test_hard_bounced_email_never_wins_even_alone(con, tmp_path):
    bounce = {"source": "esp", "contact_point": "bounced@ex.fr", "channel": "email", "reason": "hard_bounce"}
    write_inputs(con, people=[
        person("crm:1", "C1", email="bounced@ex.fr", trust=9, updated_at=NEW),
        person("web:1", "C1", email="ok@ex.fr", trust=1, updated_at=OLD),
        person("crm:2", "C2", email="bounced@ex.fr"),
        person("crm:3", "C3", email="shared@ex.fr", email_flag="shared"),
    ], suppressions=[bounce])
    g = golden(con, tmp_path, default=["most_recent", "trust"])
    assert g["C1"]["email"] == "ok@ex.fr"
    assert provenance(con, "C1", "email") == ("web:1", "not_bad")
    assert g["C2"]["email"] is None and g["C3"]["email"] is None
    assert provenance(con, "C2", "email") == (None, "no_usable_value")


def _address(l4: str, postcode: str, city: str, **more) -> dict:
    return {"address_l4": l4, "postcode": postcode, "city": city, "address_l6": f"{postcode} {city}",
            "departement": postcode[:2], **more}


def test_npai_address_never_wins(con, tmp_path):
    npai = {"source": "post", "contact_point": "12 RUE DE LA PAIX 75002", "channel": "post", "reason": "npai"}
    write_inputs(con, people=[
        person("crm:1", "C1", trust=5, updated_at=NEW, **_address("12 RUE DE LA PAIX", "75002", "PARIS")),
        person("web:1", "C1", trust=1, updated_at=OLD, address_status="foreign",
               **_address("3 AV FOCH", "69006", "LYON")),
    ], suppressions=[npai])
    g = golden(con, tmp_path)["C1"]
    assert (g["address_l4"], g["city"], g["address_status"]) == ("3 AV FOCH", "LYON", "foreign")
    assert provenance(con, "C1", "address") == ("web:1", "not_bad")


def test_address_survives_as_a_block(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", trust=5, updated_at=OLD,
               **_address("2 RUE B", "75011", "PARIS", address_l2="CHEZ M DUPONT", address_l3="BAT C")),
        person("web:1", "C1", trust=1, updated_at=NEW, **_address("1 RUE A", "69001", "LYON")),
    ])
    g = golden(con, tmp_path, fields={"address": ["most_recent"]})["C1"]
    assert (g["address_l2"], g["address_l3"], g["address_l4"], g["address_l6"], g["postcode"], g["city"],
            g["departement"]) == (None, None, "1 RUE A", "69001 LYON", "69001", "LYON", "69")


def test_not_bad_alone_keeps_only_usable_values(con, tmp_path):
    write_inputs(con, people=[
        person("crm:1", "C1", first_name="Xxx", first_name_flag="junk", trust=9),
        person("web:1", "C1", first_name="Paul"),
    ])
    assert golden(con, tmp_path, default=["not_bad"])["C1"]["first_name"] == "Paul"
    assert provenance(con, "C1", "first_name") == ("web:1", "not_bad")


def test_cluster_facts(con, tmp_path):
    write_inputs(con, people=[
        person("web:1", "C1", created_at=OLD, updated_at=OLD),
        person("crm:1", "C1", created_at=dt.datetime(2024, 5, 1), updated_at=NEW),
    ])
    g = golden(con, tmp_path)["C1"]
    assert (g["first_seen"], g["last_seen"], g["source_record_count"], g["sources"]) == (OLD, NEW, 2, "crm,web")


def test_empty_inputs_give_empty_tables_with_columns(con, tmp_path):
    write_inputs(con)
    assert golden(con, tmp_path) == {}
    columns = [r[0] for r in con.execute("DESCRIBE marts.golden_customers").fetchall()]
    assert {"email", "mobile", "landline", "address_l4", "departement", "sources"} <= set(columns)


@pytest.mark.parametrize("section, key", [
    ({"default": ["trust", "newest"]}, "survivorship.default"),
    ({"fields": {"mail": ["trust"]}}, "survivorship.fields"),
    ({"fields": {"email": ["trust", "not_bad"]}}, "survivorship.fields.email"),
    ({"fields": {"email": []}}, "survivorship.fields.email"),
    ({"order": []}, "survivorship"),
])
def test_bad_survivorship_config_names_the_key(tmp_path, section, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        survivorship_rules(config(tmp_path, survivorship=section))
