"""The `quality` config section: defaults, and errors that name the offending key."""

from __future__ import annotations

import pytest

from cdp_pipeline.config import ConfigError, load_config
from cdp_pipeline.quality.settings import quality_settings

NAMES = ["staging_email_validity", "raw_pos_volume"]


def settings(make_config, quality: str):
    return quality_settings(load_config(make_config(f"warehouse: wh.duckdb\nsources: []\n{quality}")), NAMES)


def test_defaults(make_config):
    s = settings(make_config, "")
    assert s.volume_change_max_share == 0.5 and s.severity == {}
    assert s.thresholds["email_validity_min"] == 0.9 and "offers" in s.consent_purposes


def test_overrides(make_config):
    s = settings(make_config, "quality:\n  severity: {staging_email_validity: error}\n"
                              "  thresholds: {email_validity_min: 0.8, birth_date_min: 1910-01-01}\n")
    assert s.severity == {"staging_email_validity": "ERROR"}
    assert s.thresholds["email_validity_min"] == 0.8 and str(s.thresholds["birth_date_min"]) == "1910-01-01"


@pytest.mark.parametrize("quality, key", [
    ("quality: {volume_change_max: 0.5}", "volume_change_max"),
    ("quality: {severity: {staging_emial_validity: WARN}}", "staging_emial_validity"),
    ("quality: {severity: {staging_email_validity: LOUD}}", "quality.severity.staging_email_validity"),
    ("quality: {thresholds: {email_validity_min: 90}}", "quality.thresholds.email_validity_min"),
    ("quality: {thresholds: {birth_date_min: yesterday}}", "quality.thresholds.birth_date_min"),
    ("quality: {thresholds: {amount_min: 10, amount_max: 1}}", "amount_min"),
    ("quality: {volume_change_max_share: -1}", "quality.volume_change_max_share"),
    ("quality: {sample_rows: 0}", "quality.sample_rows"),
])
def test_errors_name_the_key(make_config, quality, key):
    with pytest.raises(ConfigError, match=key):
        settings(make_config, quality)
