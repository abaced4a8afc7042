"""Shared fixtures: tiny hand-made landing files and configs written into tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def write_config(folder: Path, body: str) -> Path:
    path = folder / "cdp.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture
def make_config(tmp_path):
    def make(body: str) -> Path:
        return write_config(tmp_path, body)

    return make


@pytest.fixture(autouse=True)
def _ephemeral_dagster(monkeypatch):
    """Tests run on an ephemeral Dagster instance, never in the user's .dagster_home history."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
