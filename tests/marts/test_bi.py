"""bi.* views: no personal data, stable pseudonyms, readable by a read-only BI connection."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from cdp_pipeline.marts.bi import BI_VIEWS, build_bi_views, data_dictionary_markdown
from cdp_pipeline.marts.customer_360 import build_customer_360
from cdp_pipeline.marts.dictionary import DOC, generated_dictionary
from cdp_pipeline.marts.golden import build_golden_customers
from cdp_pipeline.marts.rfm import build_rfm
from cdp_pipeline.warehouse import publish
from tests.marts.fixtures import config, order, person, write_inputs

PEOPLE = [
    person("crm:1", "C1", civility="MME", first_name="Camille", last_name="Lefebvre", birth_name="Roux",
           birth_date=dt.date(1980, 3, 4), email="camille.lefebvre@ex.fr", phone="+33612345678",
           address_l4="8 RUE DES LILAS", address_l6="35000 RENNES", postcode="35000", city="RENNES",
           departement="35", loyalty_id="LOY123", account_id="ACC9"),
    person("web:2", "C2", first_name="Yann", last_name="Kerbrat", email="yk@ex.fr",
           phone="+33299000000", phone_type="landline"),
]
PERSONAL_VALUES = {"Camille", "Lefebvre", "Roux", "camille.lefebvre@ex.fr", "+33612345678", "8 RUE DES LILAS",
                   "35000 RENNES", "Yann", "Kerbrat", "yk@ex.fr", "+33299000000", "1980-03-04", "C1", "C2",
                   "LOY123", "ACC9", "crm:1", "web:2"}
FORBIDDEN_COLUMN = re.compile(r"name|email|phone|mobile|landline|address|birth_date|postcode|city|customer_id|record_id")


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "wh.duckdb"
    cfg = config(tmp_path, reference_date="2025-06-30")
    con = duckdb.connect(str(path))
    write_inputs(con, people=PEOPLE, orders=[order("o1", "crm:1", "2025-06-01", 42), order("o2", "web:9", "2025-06-02", 7)])
    build_golden_customers(con, cfg)
    build_customer_360(con, cfg)
    build_rfm(con, cfg, "r1", dt.datetime(2025, 6, 30))
    build_rfm(con, cfg, "r2", dt.datetime(2025, 7, 1))
    build_bi_views(con, cfg)
    con.close()
    return path, cfg


def test_bi_views_hold_no_personal_data(warehouse):
    path, _ = warehouse
    con = duckdb.connect(str(path), read_only=True)
    for view in BI_VIEWS:
        cur = con.execute(f"SELECT * FROM bi.{view}")
        columns = [d[0] for d in cur.description]
        assert not [c for c in columns if FORBIDDEN_COLUMN.search(c)], view
        values = {str(v) for row in cur.fetchall() for v in row}
        assert not values & PERSONAL_VALUES, view
    customer = con.execute("SELECT age_band, departement, known_channels FROM bi.customers ORDER BY age_band").fetchall()
    assert customer == [("45-54", "35", "email,sms,phone,post"), ("unknown", None, "email,phone")]
    con.close()


def test_read_only_connection_can_query_marts_and_bi(warehouse):
    path, _ = warehouse
    con = duckdb.connect(str(path), read_only=True)
    orders = con.execute("SELECT o.net_amount, r.segment FROM bi.orders AS o "
                         "LEFT JOIN bi.rfm AS r USING (customer_key) ORDER BY o.order_date").fetchall()
    assert [(float(a), s) for a, s in orders] == [(42.0, "Lost"), (7.0, None)]
    assert con.execute("SELECT sum(customers) FROM bi.segment_migration").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0] == 2
    con.close()


def test_bi_views_need_no_macros(warehouse):
    """A BI tool opens the file without our macros: nothing user-defined may be stored in it."""
    path, _ = warehouse
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT function_name FROM duckdb_functions() WHERE NOT internal "
                       "AND database_name = current_database()").fetchall() == []
    con.close()


def test_published_bi_file_is_readable_without_the_warehouse(warehouse, tmp_path):
    path, _ = warehouse
    target = publish(path, tmp_path / "published.duckdb", include=("bi.*",))
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT count(*), count(customer_key) FROM bi.customers").fetchone() == (2, 2)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name <> 'bi'").fetchone()[0] == 0
    con.close()


def test_pseudonymous_keys_are_stable_across_builds(warehouse):
    path, cfg = warehouse
    con = duckdb.connect(str(path))
    before = con.execute("SELECT customer_key FROM bi.customers ORDER BY ALL").fetchall()
    build_bi_views(con, cfg)
    assert con.execute("SELECT customer_key FROM bi.customers ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT count(*) FROM gdpr.pseudonym_salt").fetchone()[0] == 1
    assert all(len(k) == 16 for (k,) in before)
    con.close()


def test_every_column_is_commented(warehouse):
    path, _ = warehouse
    con = duckdb.connect(str(path), read_only=True)
    missing = con.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('marts', 'bi') AND comment IS NULL").fetchall()
    assert missing == []
    assert "## bi.customers (view)" in data_dictionary_markdown(con)
    con.close()


def test_data_dictionary_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == generated_dictionary(), \
        "run: python -m cdp_pipeline.marts.dictionary"
