"""Ingestion contract: formats, quarantine accounting, structural failures, idempotence."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cdp_pipeline.config import ConfigError, load_config
from cdp_pipeline.ingest.load import load_source
from cdp_pipeline.ingest.readers import SourceError
from cdp_pipeline.warehouse import connect

POS = """
warehouse: wh.duckdb
sources:
  - name: pos
    kind: customers
    path: landing/pos/*.csv
    format: csv
    delimiter: ";"
    encoding: cp1252
    date_format: "%d/%m/%Y"
    columns:
      source_record_id: CLIENT_ID
      first_name: PRENOM
      last_name: NOM
      birth_date: DATE_NAISSANCE
  - name: pos_orders
    kind: orders
    customer_source: pos
    path: landing/pos/tickets.csv
    format: csv
    delimiter: ";"
    encoding: cp1252
    date_format: "%d/%m/%Y"
    decimal_separator: ","
    columns:
      order_id: TICKET
      customer_record_id: CLIENT_ID
      order_ts: DATE
      amount: MONTANT
  - name: web
    kind: customers
    path: landing/web/*.jsonl
    format: jsonl
    columns:
      source_record_id: id
      first_name: first_name
      postcode: address.zip
  - name: app
    kind: customers
    path: landing/app/*.parquet
    format: parquet
    columns:
      source_record_id: user_id
      email: email
"""


@pytest.fixture
def landing(tmp_path, make_config):
    (tmp_path / "landing/pos").mkdir(parents=True)
    (tmp_path / "landing/web").mkdir(parents=True)
    (tmp_path / "landing/app").mkdir(parents=True)
    return tmp_path, load_config(make_config(POS))


def _count(con, sql):
    return con.execute(sql).fetchone()[0]


def test_cp1252_semicolon_csv_loads_with_accounting(landing):
    root, cfg = landing
    lines = [
        "CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE",
        "1;HÉLÈNE;DUPONT;01/02/1980",
        "2;FRANÇOIS;L’ŒUVRE;31/02/1980",  # impossible date in an optional field: the row still loads
        "3;TOO;MANY;FIELDS;HERE",  # wrong field count
        ";NO;ID;01/01/1990",  # required field missing
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    data += b"5;J\x81AN;X;01/01/1990\r\n"  # 0x81 is undefined in cp1252
    (root / "landing/pos/clients_1.csv").write_bytes(data)
    with connect(cfg.warehouse) as con:
        [res] = load_source(con, cfg.source("pos"))
        assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (5, 2, 3)
        names = sorted(r[0] for r in con.execute('SELECT "NOM" FROM raw.pos').fetchall())
        assert names == ["DUPONT", "L’ŒUVRE"]
        assert _count(con, "SELECT _line FROM raw.pos WHERE CLIENT_ID = '2'") == 3
        reasons = dict(con.execute("SELECT line, reason FROM quarantine.rejected_rows").fetchall())
        assert set(reasons) == {4, 5, 6}
        assert reasons[4].startswith("wrong field count")
        assert "source_record_id (column CLIENT_ID) is missing" == reasons[5]
        assert "not valid cp1252" in reasons[6]
        audit = con.execute("SELECT rows_read, rows_loaded, rows_quarantined, rows_erased FROM audit.file_loads").fetchone()
        assert audit == (5, 2, 3, 0)


def test_orders_with_unparseable_amount_or_date_are_quarantined(landing):
    root, cfg = landing
    (root / "landing/pos/tickets.csv").write_text(
        "TICKET;CLIENT_ID;DATE;MONTANT\nT1;1;02/03/2025;12,50\nT2;1;2025-13-45;10,00\nT3;1;02/03/2025;douze\n",
        encoding="cp1252",
    )
    with connect(cfg.warehouse) as con:
        [res] = load_source(con, cfg.source("pos_orders"))
        assert (res.rows_loaded, res.rows_quarantined) == (1, 2)
        reasons = sorted(r[0] for r in con.execute("SELECT reason FROM quarantine.rejected_rows").fetchall())
        assert reasons == ["amount (column MONTANT) is not a number", "order_ts (column DATE) is not a date"]
        # the quarantined value is kept (raw text) for the steward, not in the reason
        assert _count(con, "SELECT count(*) FROM quarantine.rejected_rows WHERE raw_text LIKE '%douze%'") == 1


def test_jsonl_nested_and_malformed(landing):
    root, cfg = landing
    rows = [
        json.dumps({"id": "w1", "first_name": "Zoé", "address": {"zip": "75002"}}),
        "{not json",
        json.dumps({"id": "w2", "first_name": "Léa"}),  # nested key absent: loads with NULL
        json.dumps(["a list"]),
    ]
    (root / "landing/web/customers_1.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with connect(cfg.warehouse) as con:
        [res] = load_source(con, cfg.source("web"))
        assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (4, 2, 2)
        got = con.execute('SELECT id, "address.zip", _line FROM raw.web ORDER BY id').fetchall()
        assert got == [("w1", "75002", 1), ("w2", None, 3)]


def test_parquet_source(landing):
    root, cfg = landing
    pq.write_table(
        pa.table({"user_id": [1, 2, None], "email": ["a@b.fr", None, "c@d.fr"]}), root / "landing/app/u.parquet"
    )
    with connect(cfg.warehouse) as con:
        [res] = load_source(con, cfg.source("app"))
        assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (3, 2, 1)
        assert con.execute("SELECT user_id FROM raw.app ORDER BY _line").fetchall() == [("1",), ("2",)]


def test_rerun_adds_nothing_twice(landing):
    root, cfg = landing
    (root / "landing/pos/clients_1.csv").write_text("CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n1;A;B;\n", encoding="cp1252")
    with connect(cfg.warehouse) as con:
        load_source(con, cfg.source("pos"))
        [again] = load_source(con, cfg.source("pos"))
        assert again.status == "skipped"
        assert _count(con, "SELECT count(*) FROM raw.pos") == 1
        (root / "landing/pos/clients_2.csv").write_text("CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n2;C;D;\n", encoding="cp1252")
        statuses = sorted(r.status for r in load_source(con, cfg.source("pos")))
        assert statuses == ["loaded", "skipped"]
        assert _count(con, "SELECT count(*) FROM raw.pos") == 2


def test_missing_required_column_fails_source_untouched(landing):
    root, cfg = landing
    (root / "landing/pos/clients_1.csv").write_text("CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n1;A;B;\n", encoding="cp1252")
    (root / "landing/pos/clients_2.csv").write_text("ID;PRENOM;NOM;DATE_NAISSANCE\n2;C;D;\n", encoding="cp1252")
    with connect(cfg.warehouse) as con:
        with pytest.raises(SourceError) as err:
            load_source(con, cfg.source("pos"))
        msg = str(err.value)
        assert "clients_2.csv" in msg and "CLIENT_ID" in msg
        # nothing written, not even the good file
        assert _count(con, "SELECT count(*) FROM audit.file_loads") == 0
        assert _count(con, "SELECT count(*) FROM information_schema.tables WHERE table_name='pos'") == 0


@pytest.mark.parametrize(
    "content, expected",
    [(b"", "file is empty"), (b"\xff\xfe\x00garbage", "header line is not valid")],
)
def test_empty_or_unreadable_file_fails_with_file_name(landing, content, expected):
    root, cfg = landing
    (root / "landing/pos/clients_x.csv").write_bytes(content)
    cfg_utf8 = cfg
    with connect(cfg.warehouse) as con:
        with pytest.raises(SourceError, match=expected) as err:
            load_source(con, cfg_utf8.source("pos") if expected == "file is empty" else _utf8(cfg.source("pos")))
        assert "clients_x.csv" in str(err.value)


def _utf8(source):
    from dataclasses import replace

    return replace(source, encoding="utf-8")


def test_glob_matching_nothing_names_the_glob(landing):
    _, cfg = landing
    with connect(cfg.warehouse) as con:
        with pytest.raises(SourceError, match="no file matches"):
            load_source(con, cfg.source("pos"))


def test_unknown_config_key_is_rejected(make_config):
    path = make_config(POS.replace('delimiter: ";"', 'delimeter: ";"', 1))
    with pytest.raises(ConfigError, match="delimeter"):
        load_config(path)


def test_paths_are_relative_to_the_config_file(landing, monkeypatch, tmp_path_factory):
    root, _ = landing
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    cfg = load_config(root / "cdp.yaml")
    assert cfg.warehouse == root / "wh.duckdb"
    assert cfg.source("pos").path == str(root / "landing/pos/*.csv")


def test_warehouse_file_is_a_real_duckdb_file(landing):
    root, cfg = landing
    (root / "landing/pos/clients_1.csv").write_text("CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n1;A;B;\n", encoding="cp1252")
    with connect(cfg.warehouse) as con:
        load_source(con, cfg.source("pos"))
    ro = duckdb.connect(str(cfg.warehouse), read_only=True)
    assert ro.execute("SELECT count(*) FROM raw.pos").fetchone()[0] == 1
    ro.close()
