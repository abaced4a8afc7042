"""BI publishing: a reader holding the published file open never blocks nor sees a half-written file."""

from __future__ import annotations

import threading

import duckdb

from cdp_pipeline.warehouse import connect, publish

INCLUDE = ("marts.*",)


def _write_generation(path, generation: int, rows: int = 20_000) -> None:
    with connect(path) as con:
        con.execute(f"CREATE OR REPLACE TABLE marts.facts AS SELECT {generation} AS generation, range AS i FROM range({rows})")
        con.execute(f"CREATE OR REPLACE TABLE marts.facts_total AS SELECT {rows} AS n, {generation} AS generation")


def test_reader_holding_published_file_does_not_block_publish(tmp_path):
    wh, bi = tmp_path / "wh.duckdb", tmp_path / "wh_bi.duckdb"
    _write_generation(wh, 1)
    publish(wh, bi, INCLUDE)
    reader = duckdb.connect(str(bi), read_only=True)  # a BI tool keeps the file open
    try:
        _write_generation(wh, 2, rows=30_000)
        publish(wh, bi, INCLUDE)  # must not fail while the reader holds the old file
        # the open reader still sees its complete, consistent snapshot
        assert reader.execute("SELECT count(*), min(generation) FROM marts.facts").fetchone() == (20_000, 1)
    finally:
        reader.close()
    fresh = duckdb.connect(str(bi), read_only=True)
    assert fresh.execute("SELECT count(*), min(generation) FROM marts.facts").fetchone() == (30_000, 2)
    fresh.close()
    assert not list(tmp_path.glob(".*.tmp")), "temporary publish file left behind"


def test_readers_never_see_a_half_written_warehouse(tmp_path):
    wh, bi = tmp_path / "wh.duckdb", tmp_path / "wh_bi.duckdb"
    _write_generation(wh, 0)
    publish(wh, bi, INCLUDE)
    problems: list[str] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            try:
                con = duckdb.connect(str(bi), read_only=True)
            except duckdb.Error as exc:  # a half-written file would fail to open or to read
                problems.append(f"open: {exc.__class__.__name__}")
                continue
            try:
                (n, g), (total, g2) = (
                    con.execute("SELECT count(*), min(generation) FROM marts.facts").fetchone(),
                    con.execute("SELECT n, generation FROM marts.facts_total").fetchone(),
                )
                if n != total or g != g2:
                    problems.append("inconsistent snapshot")
            except duckdb.Error as exc:
                problems.append(f"read: {exc.__class__.__name__}")
            finally:
                con.close()

    thread = threading.Thread(target=read_loop)
    thread.start()
    try:
        for generation in range(1, 6):
            _write_generation(wh, generation, rows=10_000 * generation)
            publish(wh, bi, INCLUDE)
    finally:
        stop.set()
        thread.join()
    assert problems == []


def test_published_file_opens_with_storage_v1(tmp_path):
    wh, bi = tmp_path / "wh.duckdb", tmp_path / "wh_bi.duckdb"
    _write_generation(wh, 1, rows=10)
    publish(wh, bi, INCLUDE)
    con = duckdb.connect(str(bi), read_only=True)
    version = con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'wh_bi'").fetchone()
    con.close()
    assert version == ("v1.0.0+",)  # readable by the DuckDB 1.x drivers that BI tools bundle


def test_publish_includes_only_what_is_listed_and_materialises_views(tmp_path):
    wh, bi = tmp_path / "wh.duckdb", tmp_path / "wh_bi.duckdb"
    with connect(wh) as con:
        con.execute("CREATE TABLE staging.people AS SELECT 'jean@orange.fr' AS email")
        con.execute("CREATE TABLE marts.secret AS SELECT 1 AS x")
        con.execute("CREATE TABLE marts.facts AS SELECT 42 AS n")
        con.execute("COMMENT ON COLUMN marts.facts.n IS 'the answer'")
        con.execute("CREATE VIEW bi.facts AS SELECT n * 2 AS n2 FROM marts.facts")
    publish(wh, bi, ("bi.*", "marts.facts"))
    con = duckdb.connect(str(bi), read_only=True)
    try:
        objects = sorted(con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall())
        assert objects == [("bi.facts",), ("marts.facts",)]  # views became tables; nothing else travelled
        assert con.execute("SELECT n2 FROM bi.facts").fetchone() == (84,)
        assert con.execute("SELECT comment FROM duckdb_columns() WHERE column_name = 'n'").fetchone() == ("the answer",)
    finally:
        con.close()
