"""The demo generator keeps its promises: truth matches the files, the config is the repo's
contract, corruptions are really broken, runs are deterministic, increments are honest."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import yaml

from cdp_pipeline.config import load_config
from cdp_pipeline import synth
from cdp_pipeline.synth import REPO_CONFIG, generate

N = 300
CUSTOMER_FILES = {
    "pos": ("pos/clients_0000.csv", "CLIENT_ID"),
    "web": ("web/customers_0000.jsonl", "customer_id"),
    "app": ("app/app_users_0000.parquet", "user_id"),
    "callcentre": ("callcentre/sav_clients_0000.csv", "id_client_sav"),
}


@pytest.fixture(autouse=True, scope="module")
def small_chunks():
    """Chunks of 128 persons so the tests cover streaming across chunks."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(synth, "CHUNK_PERSONS", 128)
        yield


@pytest.fixture(scope="module")
def demo(tmp_path_factory, small_chunks) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, N, seed=7)


def _corruptions(out: Path) -> list[dict]:
    with (out / "truth" / "corruptions.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _hard_lines(out: Path, file: str) -> set[int]:
    return {int(r["line"]) for r in _corruptions(out) if r["file"] == file and not r["kind"].startswith("soft:")}


def _truth(out: Path) -> list[dict]:
    with (out / "truth" / "truth.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _read_customers(out: Path, source: str, file: str | None = None) -> list[dict]:
    """Good rows of a customers file (lines listed as hard corruptions skipped)."""
    file = file or CUSTOMER_FILES[source][0]
    bad = _hard_lines(out, file)
    path = out / file
    if file.endswith(".parquet"):
        return [r for i, r in enumerate(pl.read_parquet(path).to_dicts(), start=1) if i not in bad]
    if file.endswith(".jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(t) for i, t in enumerate(lines, start=1) if i not in bad]
    encoding = "cp1252" if source == "pos" else "utf-8"
    delimiter = ";" if source == "pos" else ","
    lines = path.read_bytes().split(b"\n")
    header = lines[0].decode(encoding).split(delimiter)
    good = [lines[i - 1].decode(encoding) for i in range(2, len(lines) + 1) if i not in bad and lines[i - 1]]
    return list(csv.DictReader(good, fieldnames=header, delimiter=delimiter))


def test_truth_matches_every_customer_record(demo):
    out, summary = demo
    truth = _truth(out)
    keys = [(t["source"], t["source_record_id"]) for t in truth]
    assert len(keys) == len(set(keys))
    written = []
    for source, (file, id_col) in CUSTOMER_FILES.items():
        rows = _read_customers(out, source)
        written += [(source, r[id_col]) for r in rows]
        assert summary["files"][file] == len(rows)
    assert Counter(written) == Counter(keys)
    persons = {t["person_id"] for t in truth}
    assert 0.95 * N <= len(persons) <= N  # nearly everyone has at least one record


def test_person_ids_group_shared_accounts_and_cards(demo):
    out, _ = demo
    person = {(t["source"], t["source_record_id"]): t["person_id"] for t in _truth(out)}
    web = {r["account_id"]: person[("web", r["customer_id"])] for r in _read_customers(out, "web")}
    shared = [r for r in _read_customers(out, "app") if r["account_id"] in web]
    assert shared, "some app users share their web account"
    assert all(web[r["account_id"]] == person[("app", r["user_id"])] for r in shared)
    cards = {r["CARTE_FIDELITE"]: person[("pos", r["CLIENT_ID"])] for r in _read_customers(out, "pos")}
    linked = [r for r in _read_customers(out, "web") if r["loyalty_card"]]
    assert linked and all(cards[r["loyalty_card"]] == person[("web", r["customer_id"])] for r in linked)


def test_config_is_the_repo_contract_inside_out_dir(demo):
    out, _ = demo
    cfg = load_config(out / "cdp.yaml")
    assert cfg.warehouse == out.resolve() / "warehouse.duckdb"
    assert cfg.publish_path.parent == out.resolve()
    generated = yaml.safe_load((out / "cdp.yaml").read_text(encoding="utf-8"))["sources"]
    repo = yaml.safe_load(REPO_CONFIG.read_text(encoding="utf-8"))["sources"]
    for s in repo:
        s["path"] = s["path"].removeprefix("data/landing/")
    assert generated == repo
    for s in cfg.sources:  # every declared source has its batch-0 file
        assert any(Path(s.path).parent.glob(Path(s.path).name)), s.name


def test_pos_file_is_cp1252_upper_case(demo):
    out, _ = demo
    raw = (out / "pos/clients_0000.csv").read_bytes()
    bad = _hard_lines(out, "pos/clients_0000.csv")
    lines = raw.split(b"\n")
    for i, line in enumerate(lines, start=1):
        if i not in bad:
            line.decode("cp1252")
    rows = _read_customers(out, "pos")
    for r in rows:
        for col in ("PRENOM", "NOM", "NOM_NAISSANCE"):
            assert r[col] == r[col].upper() and r[col].isascii()
    assert any(r["CARTE_FIDELITE"] for r in rows)


def test_listed_corruptions_are_really_broken(demo):
    out, _ = demo
    kinds = Counter()
    for c in _corruptions(out):
        path, line, kind = out / c["file"], int(c["line"]), c["kind"]
        kinds[kind] += 1
        if path.suffix == ".parquet":
            row = pl.read_parquet(path).row(line - 1, named=True)
            if kind == "missing_required":
                assert None in (row.get("user_id"), row.get("amount"), row.get("ts")), c
            continue
        raw = path.read_bytes().split(b"\n")[line - 1]
        encoding = "cp1252" if c["source"] in ("pos", "pos_orders", "postal_returns") else "utf-8"
        if kind == "bad_encoding":
            with pytest.raises(UnicodeDecodeError):
                raw.decode(encoding)
            continue
        text = raw.decode(encoding)
        if kind == "malformed_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
        elif path.suffix == ".csv":
            delimiter = ";" if encoding == "cp1252" else ","
            header = next(csv.reader([path.read_bytes().split(b"\n")[0].decode(encoding)], delimiter=delimiter))
            fields = next(csv.reader([text], delimiter=delimiter))
            assert (len(fields) != len(header)) == (kind == "field_count"), c
            row = dict(zip(header, fields))
            if kind == "bad_amount":
                assert not row["MONTANT_TTC"].replace(",", "").isdigit()
            if kind == "soft:impossible_birth_date":
                assert row[next(h for h in header if "NAISSANCE" in h.upper() and "DATE" in h.upper())][:5] == "31/02"
            if kind == "soft:garbage_email":
                assert "@@" in row["EMAIL" if "EMAIL" in row else "email"]
    for kind in ("field_count", "bad_encoding", "malformed_json", "bad_amount", "bad_date", "missing_required",
                 "soft:impossible_birth_date", "soft:garbage_email"):
        assert kinds[kind] >= 1, kind


def _digest(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_same_files(demo, tmp_path):
    out, summary = demo
    again = generate(tmp_path / "again", N, seed=7)
    assert _digest(out) == _digest(tmp_path / "again")
    assert again["files"] == summary["files"]
    other = generate(tmp_path / "other", N, seed=8)
    assert _digest(tmp_path / "other")["pos/clients_0000.csv"] != _digest(out)["pos/clients_0000.csv"]
    assert other["hard_case_frequencies"] == summary["hard_case_frequencies"]


def test_increment_adds_new_and_edited_records(tmp_path):
    n, share = 1000, 0.05
    generate(tmp_path, n, seed=3)
    before = _digest(tmp_path)
    truth0 = _truth(tmp_path)
    summary = generate(tmp_path, n, seed=3, increment=1, delta_share=share)
    after = _digest(tmp_path)
    assert {k: v for k, v in after.items() if "_0000" in k} == {k: v for k, v in before.items() if "_0000" in k}
    truth1 = _truth(tmp_path)
    assert truth1[: len(truth0)] == truth0
    new = truth1[len(truth0):]
    new_persons = {t["person_id"] for t in new}
    assert new_persons.isdisjoint({t["person_id"] for t in truth0})
    assert len(new_persons) == round(n * share)
    old_ids = {(t["source"], t["source_record_id"]): t["person_id"] for t in truth0}
    edited = 0
    for source, (file, id_col) in CUSTOMER_FILES.items():
        inc_file = file.replace("_0000", "_0001")
        if not (tmp_path / inc_file).exists():
            continue
        base = {r[id_col]: r for r in _read_customers(tmp_path, source)}
        for r in _read_customers(tmp_path, source, inc_file):
            if (source, r[id_col]) in old_ids:
                edited += 1
                assert r != base[r[id_col]]  # same id, something changed
            else:
                assert (source, r[id_col]) in {(t["source"], t["source_record_id"]) for t in new}
    assert edited == sum(summary["edits"].values())
    assert 0.5 * share * len(truth0) <= edited <= 1.6 * share * len(truth0)
