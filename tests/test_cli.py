"""`cdp` as a user runs it: from another directory, one-line reasons on failure, any subset of kinds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

CDP = str(Path(sys.executable).with_name("cdp"))


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CDP, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def _shop(tmp_path: Path, header: str, rows: list[str]) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "clients.csv").write_text("\n".join([header, *rows]) + "\n", encoding="cp1252")
    cfg = tmp_path / "cdp.yaml"
    cfg.write_text(textwrap.dedent("""
        warehouse: wh.duckdb
        sources:
          - name: shop
            kind: customers
            path: in/*.csv
            format: csv
            delimiter: ";"
            encoding: cp1252
            columns: {source_record_id: CLIENT_ID, first_name: PRENOM, last_name: NOM, email: EMAIL, postcode: CP}
        """), encoding="utf-8")
    return cfg


PEOPLE = [
    "1;Jean;Dupont;jean.dupont@orange.fr;69002", "2;JEAN;DUPONT;jean.dupont@orange.fr;69002",
    "3;Anne;Martin;anne.martin@free.fr;75011", "4;Luc;Petit;;33000", "5;Zoé;Durand;zoe.durand@gmail.com;13001",
    "6;Zoe;Durand;zoe.durand@gmail.com;13001", "7;Hélène;Roux;helene.roux@sfr.fr;44000",
    "8;Marc;Leroy;marc.leroy@laposte.net;59000",
]


def test_customers_only_config_runs_from_anywhere_and_other_layers_are_empty(tmp_path, tmp_path_factory):
    cfg = _shop(tmp_path, "CLIENT_ID;PRENOM;NOM;EMAIL;CP", PEOPLE)
    done = _run(["run", "--config", str(cfg)], cwd=tmp_path_factory.mktemp("elsewhere"))
    assert done.returncode == 0, done.stderr[-2000:]
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM identity.customer_xref").fetchone()[0] == 8
        assert con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0] in range(5, 9)
        for empty in ("staging.orders", "staging.consent_events", "marts.audience_members", "marts.consent_current"):
            assert con.execute(f"SELECT count(*) FROM {empty}").fetchone()[0] == 0
    finally:
        con.close()


def test_structural_problem_is_one_line_naming_file_and_column(tmp_path):
    cfg = _shop(tmp_path, "ID;PRENOM;NOM;EMAIL;CP", PEOPLE)
    done = _run(["run", "--config", str(cfg)], cwd=tmp_path)
    assert done.returncode == 1
    err = done.stderr.strip().splitlines()
    assert err[-1].startswith("cdp run failed: raw/shop:")
    assert "clients.csv" in err[-1] and "CLIENT_ID" in err[-1]
    assert "Traceback" not in done.stderr and "jean.dupont" not in done.stderr + done.stdout


def test_bad_config_is_a_clear_error(tmp_path):
    cfg = _shop(tmp_path, "CLIENT_ID;PRENOM;NOM;EMAIL;CP", PEOPLE)
    cfg.write_text(cfg.read_text().replace("delimiter", "delimeter"), encoding="utf-8")
    done = _run(["run", "--config", str(cfg)], cwd=tmp_path)
    assert done.returncode == 2
    assert "delimeter" in done.stderr and "Traceback" not in done.stderr
