"""The call shapes the Dagster assets rely on (agreed with the orchestration work), pinned.

Why a contract test: the assets wrap these functions with (con, cfg) taken from resources;
a changed signature would only show up when the whole job runs.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from cdp_pipeline.privacy import dsar_export, hash_identifier, load_salt
from cdp_pipeline.privacy.hashing import SALT_ENV
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person


def test_salt_from_cfg_is_a_private_file_next_to_the_warehouse_or_the_env(tmp_path, monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)
    cfg = make_cfg(tmp_path)
    salt = load_salt(cfg)
    path = Path(str(cfg.warehouse) + ".salt")
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_salt(cfg) == salt and len(salt) >= 16  # created once
    monkeypatch.setenv(SALT_ENV, "from-the-vault")
    assert load_salt(cfg) != salt


def test_hash_identifier_normalises_before_hashing():
    salt = b"s" * 32
    assert hash_identifier(" Alice@X.fr ", "email", salt) == hash_identifier("alice@x.fr", "email", salt)
    assert hash_identifier("06 11 11 11 11", "phone", salt) == hash_identifier("+33611111111", "phone", salt)
    assert hash_identifier("alice@x.fr", "email", salt) != hash_identifier("alice@x.fr", "email", b"t" * 32)
    assert "alice" not in hash_identifier("alice@x.fr", "email", salt)


def test_dsar_default_path_is_under_the_warehouse_folder_and_private(tmp_path):
    cfg = make_cfg(tmp_path)
    rows = merge(person("C1", "crm:1", email="alice@x.fr"), person("C2", "crm:2", email="bob@y.fr"))
    con = make_warehouse(cfg.warehouse, **rows)
    out = dsar_export(con, cfg, email="alice@x.fr")
    assert out.parent == cfg.warehouse.parent / "dsar" and out.suffix == ".json"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert "alice@x.fr" in text and "bob@y.fr" not in text and "C2" not in json.dumps(json.loads(text)["customer_ids"])
