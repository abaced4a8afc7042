"""Incremental golden build: recomputing only the changed customers gives the tables a full build
gives, whatever changed (content, cluster moves, new and removed records, new suppressions)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cdp_pipeline.marts.golden import GOLDEN_TABLES, build_golden_customers
from tests.marts.fixtures import config, person, write_inputs

NEW = dt.datetime(2025, 6, 1)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "wh.duckdb"))
    people = []
    for i in range(1, 41):  # 40 customers: a night touching 7 stays under FULL_BUILD_SHARE
        people += [person(f"crm:{i}", f"C{i}", first_name=f"Prenom{i}", last_name="Martin", trust=3,
                          email=f"p{i}@ex.fr", phone=f"+336123450{i:02d}", address_l4=f"{i} RUE DES LILAS",
                          postcode="75011", address_l6="75011 PARIS"),
                   person(f"web:{i}", f"C{i}", first_name=f"Prenom{i}", last_name="Martin", trust=1,
                          email=f"w{i}@ex.fr", loyalty_id=f"L{i}")]
    write_inputs(c, people=people)
    yield c
    c.close()


def snapshot(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in GOLDEN_TABLES}


def a_night_of_changes(con) -> None:
    """What one nightly run can change under the golden records."""
    # content: a newer first name and a new email on C1's web record
    con.execute("UPDATE staging.identity_records SET first_name = 'Prenom1bis', email = 'new1@ex.fr', "
                "updated_at = ? WHERE record_id = 'web:1'", [NEW])
    # a merge: C3's records join C2 (C3 vanishes)
    con.execute("UPDATE identity.customer_xref SET customer_id = 'C2' WHERE customer_id = 'C3'")
    # a new customer
    con.execute("INSERT INTO staging.identity_records (record_id, source, source_record_id, trust, first_name, "
                "first_name_flag, last_name, last_name_flag, email, email_flag, created_at) VALUES "
                "('web:99', 'web', '99', 1, 'Nouveau', 'ok', 'Durand', 'ok', 'n99@ex.fr', 'ok', ?)", [NEW])
    con.execute("INSERT INTO identity.customer_xref (record_id, source, source_record_id, customer_id) "
                "VALUES ('web:99', 'web', '99', 'C99')")
    # a sweep removed a record of C4 (and its basis row), not the customer
    for table in ("staging.identity_records", "identity.customer_xref", "marts.golden_basis"):
        con.execute(f"DELETE FROM {table} WHERE record_id = 'crm:4'")
    # C5's email hard-bounced and C6's address came back NPAI: those values lose
    con.execute("INSERT INTO staging.suppressions (source, contact_point, channel, reason) VALUES "
                "('crm', 'p5@ex.fr', 'email', 'hard_bounce'), ('postal', '6 RUE DES LILAS 75011', 'post', 'npai')")


def test_incremental_build_equals_a_full_build(con, tmp_path):
    cfg = config(tmp_path)
    first = build_golden_customers(con, cfg)
    assert first["full_build"] and first["customers_recomputed"] == 40

    a_night_of_changes(con)
    night = build_golden_customers(con, cfg)
    assert not night["full_build"]
    # C1 (content), C2 and C3 (merge), C4 (record removed), C5 (bounce), C6 (NPAI), C99 (new)
    assert night["customers_recomputed"] == 7
    incremental = snapshot(con)
    assert ("C1", "email", "crm", "crm:1", "trust") in incremental["golden_customer_provenance"]
    assert not [r for r in incremental["golden_customers"] if r[0] == "C3"]

    con.execute("DROP TABLE marts.golden_basis")  # no basis: the next build is a full one
    assert build_golden_customers(con, cfg)["full_build"]
    assert snapshot(con) == incremental


def test_nothing_changed_recomputes_nobody(con, tmp_path):
    cfg = config(tmp_path)
    build_golden_customers(con, cfg)
    before = snapshot(con)
    again = build_golden_customers(con, cfg)
    assert (again["full_build"], again["customers_recomputed"]) == (False, 0)
    assert snapshot(con) == before


def test_changed_survivorship_rules_rebuild_everything(con, tmp_path):
    build_golden_customers(con, config(tmp_path))
    con.execute("UPDATE staging.identity_records SET updated_at = ? WHERE source = 'web'", [NEW])
    rebuilt = build_golden_customers(con, config(tmp_path, survivorship={"default": ["not_bad", "most_recent"]}))
    assert rebuilt["full_build"] and rebuilt["customers_recomputed"] == 40
    winners = con.execute("SELECT DISTINCT value_source FROM marts.golden_customer_provenance "
                          "WHERE field = 'email'").fetchall()
    assert winners == [("web",)]
