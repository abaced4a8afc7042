"""The bulk readers keep the per-line contract: same rows, line numbers and rejects as a
line-by-line reading would give, on files with every kind of mess."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from cdp_pipeline.config import load_config
from cdp_pipeline.ingest import readers
from tests.ingest.test_load import POS


def _read(path, source):
    header, chunks = readers.read_file(path, source)
    chunks = list(chunks)
    table = pa.concat_tables([c.table for c in chunks])
    rejects = [(r.line, r.reason, r.raw_text) for c in chunks for r in c.rejects]
    return header, table.to_pylist(), rejects


def _read_with_csv_module(path, source):
    header, chunks = readers._read_csv_module(path, source, path.read_bytes(), source.encoding)
    chunks = list(chunks)
    rows = pa.concat_tables([c.table for c in chunks]).to_pylist()
    return header, rows, [(r.line, r.reason, r.raw_text) for c in chunks for r in c.rejects]


MESSY = (
    "CLIENT_ID;PRENOM ;NOM;DATE_NAISSANCE\r\n"
    "1;HÉLÈNE;DUPONT;01/02/1980\r\n"
    "\r\n"                                   # blank line: not a row
    "2;;L’ŒUVRE; \r\n"                       # empty value is NULL, a space is kept
    "3;TOO;MANY;FIELDS;HERE\n"               # wrong field count, other line ending
    "4;ONLY;TWO\r"                           # a lone CR ends a line too
    "5;Zoé;Ø;29/02/2000\r\n"
).encode("cp1252", errors="replace") + b"6;J\x81AN;X;01/01/1990\r\n" + "7;LAST;LINE;\t".encode("cp1252")


@pytest.fixture
def pos(tmp_path, make_config):
    (tmp_path / "landing/pos").mkdir(parents=True)
    return tmp_path / "landing/pos", load_config(make_config(POS)).source("pos")


def test_unquoted_csv_is_split_exactly_as_the_csv_module_reads_it(pos, monkeypatch):
    folder, source = pos
    path = folder / "clients.csv"
    path.write_bytes(MESSY)
    reference = _read_with_csv_module(path, source)
    monkeypatch.setattr(readers, "_read_csv_module", None)  # the split path must not fall back
    header, rows, rejects = _read(path, source)
    assert (header, rows, rejects) == reference
    assert [r["_line"] for r in rows] == [2, 4, 7, 9]
    assert rows[1]["PRENOM"] is None and rows[1]["DATE_NAISSANCE"] == " "
    assert [(line, reason.split(":")[0]) for line, reason, _ in rejects] == [
        (5, "wrong field count"), (6, "wrong field count"), (8, "bytes not valid cp1252")]


def test_quoted_csv_goes_through_the_csv_module(pos):
    folder, source = pos
    path = folder / "clients.csv"
    path.write_text('CLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n1;"DUPONT; Jean";X;\n2;"multi\nline";Y;\n3;Z\n',
                    encoding="cp1252")
    header, rows, rejects = _read(path, source)
    assert [(r["PRENOM"], r["_line"]) for r in rows] == [("DUPONT; Jean", 2), ("multi\nline", 3)]
    assert [(line, reason) for line, reason, _ in rejects] == [(5, "wrong field count: expected 4, got 2")]


def test_a_real_replacement_character_in_utf8_is_not_a_bad_byte(tmp_path, make_config):
    body = POS.replace("encoding: cp1252\n    date_format: \"%d/%m/%Y\"\n    columns:\n      source_record_id: CLIENT_ID",
                       "encoding: utf-8\n    date_format: \"%d/%m/%Y\"\n    columns:\n      source_record_id: CLIENT_ID", 1)
    source = load_config(make_config(body)).source("pos")
    assert source.encoding == "utf-8"
    (tmp_path / "landing/pos").mkdir(parents=True)
    path = tmp_path / "landing/pos/clients.csv"
    path.write_bytes("\ufeffCLIENT_ID;PRENOM;NOM;DATE_NAISSANCE\n1;A\ufffdB;X;\n".encode() + b"2;\xff;Y;\n")
    header, rows, rejects = _read(path, source)
    assert header[0] == "CLIENT_ID"
    assert [(r["CLIENT_ID"], r["PRENOM"]) for r in rows] == [("1", "A\ufffdB")]
    assert [(line, reason) for line, reason, _ in rejects] == [(3, "bytes not valid utf-8")]


def test_json_lines_values_and_rejects(tmp_path, make_config):
    source = load_config(make_config(POS)).source("web")
    (tmp_path / "landing/web").mkdir(parents=True)
    lines = [
        '{"id": "w1", "first_name": "Zo\\u00e9", "total": 140.64000000000001, "vip": true, "tags": ["a", "b"],'
        ' "address": {"zip": "75002", "geo": {"lat": 48.8}}, "q\\"k": 1}',
        "",
        "   ",
        "{not json",
        '["a list"]',
        '{"id": "w2", "first_name": null, "address": "unknown"}',
    ]
    data = ("\ufeff" + "\r\n".join(lines) + "\n").encode() + b'{"id": "\xff"}\n{"id": "w3"}'
    path = tmp_path / "landing/web/customers.jsonl"
    path.write_bytes(data)
    header, rows, rejects = _read(path, source)
    assert header == ["id", "first_name", "total", "vip", "tags", "address.zip", "address.geo.lat", 'q"k', "address"]
    first, second, third = rows
    assert first == {"id": "w1", "first_name": "Zoé", "total": "140.64000000000001", "vip": "true",
                     "tags": '["a","b"]', "address.zip": "75002", "address.geo.lat": "48.8", 'q"k': "1",
                     "address": None, "_line": 1}
    assert (second["address"], second["address.zip"], second["first_name"], second["_line"]) == ("unknown", None, None, 6)
    assert (third["id"], third["_line"]) == ("w3", 8)
    assert [(line, reason.split(" (")[0]) for line, reason, _ in rejects] == [
        (4, "malformed JSON"), (5, "JSON line is not an object"), (7, "bytes not valid utf-8")]
    assert json.loads(rejects[1][2]) == ["a list"]
