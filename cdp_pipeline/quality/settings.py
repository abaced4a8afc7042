"""Validation of the `quality` config section.

Accepted consent purposes are not repeated here: they are `consent.purposes` (marketing settings).

Why strict: this section decides which checks may stop the nightly run. A typo in a check
name (`staging_emial_validity: WARN`) or a threshold (`email_validity_min: 90`) must fail
loudly with the key's name, not silently leave a check blocking, or silence it.

YAML shape (every key optional; defaults below)::

    quality:
      volume_change_max_share: 0.5   # raw rows loaded this run vs the previous run that loaded any
      sample_rows: 50000             # rows sampled for rate checks (validity rates)
      sample_ids: 20                 # failing ids kept per check (ids only, never personal data)
      severity:                      # check name -> ERROR (blocks downstream) | WARN (reports only)
        staging_email_validity: WARN
      thresholds:
        email_validity_min: 0.9      # share of given e-mails that are valid
        phone_validity_min: 0.9      # share of given phones that are valid E.164
        postcode_validity_min: 0.9   # share of FR addresses with a valid postcode
        birth_date_min: 1900-01-01   # birth dates before this (or in the future) are out of range
        amount_min: -100000          # order amounts outside [amount_min, amount_max] are flagged
        amount_max: 100000
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from cdp_pipeline.config import Config, ConfigError, _check_keys
from cdp_pipeline.marketing.settings import consent_settings

SEVERITIES = ("ERROR", "WARN")
RATE_THRESHOLDS = ("email_validity_min", "phone_validity_min", "postcode_validity_min")
DEFAULT_THRESHOLDS: dict[str, Any] = {
    "email_validity_min": 0.9,
    "phone_validity_min": 0.9,
    "postcode_validity_min": 0.9,
    "birth_date_min": dt.date(1900, 1, 1),
    "amount_min": -100_000.0,
    "amount_max": 100_000.0,
}


@dataclass(frozen=True)
class QualitySettings:
    volume_change_max_share: float = 0.5
    sample_rows: int = 50_000
    sample_ids: int = 20
    consent_purposes: tuple[str, ...] = ()  # from consent.purposes (marketing owns the list)
    severity: dict[str, str] = field(default_factory=dict)  # overrides, check name -> ERROR|WARN
    thresholds: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))


def quality_settings(cfg: Config, check_names: Iterable[str]) -> QualitySettings:
    """Parse `cfg.quality`; `check_names` are the checks this config defines (severity keys)."""
    raw = cfg.quality or {}
    _check_keys("quality", raw, {"volume_change_max_share", "sample_rows", "sample_ids", "severity", "thresholds"})
    share = _number("quality.volume_change_max_share", raw.get("volume_change_max_share", 0.5))
    if share <= 0:
        raise ConfigError("quality.volume_change_max_share: must be a positive share (0.5 = 50%)")
    return QualitySettings(
        volume_change_max_share=share,
        sample_rows=_positive_int("quality.sample_rows", raw.get("sample_rows", 50_000)),
        sample_ids=_positive_int("quality.sample_ids", raw.get("sample_ids", 20)),
        consent_purposes=tuple(consent_settings(cfg).purposes),
        severity=_severity(raw.get("severity") or {}, set(check_names)),
        thresholds=_thresholds(raw.get("thresholds") or {}),
    )


def _severity(raw: Any, names: set[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError("quality.severity: must map a check name to ERROR or WARN")
    _check_keys("quality.severity", raw, names)
    for name, value in raw.items():
        if str(value).upper() not in SEVERITIES:
            raise ConfigError(f"quality.severity.{name}: '{value}' is not ERROR or WARN")
    return {name: str(value).upper() for name, value in raw.items()}


def _thresholds(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError("quality.thresholds: must be a mapping")
    _check_keys("quality.thresholds", raw, set(DEFAULT_THRESHOLDS))
    out = dict(DEFAULT_THRESHOLDS)
    for key, value in raw.items():
        where = f"quality.thresholds.{key}"
        if key == "birth_date_min":
            try:
                out[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                raise ConfigError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None
            continue
        out[key] = _number(where, value)
        if key in RATE_THRESHOLDS and not 0 <= out[key] <= 1:
            raise ConfigError(f"{where}: {value} is not a share between 0 and 1 (0.9 = 90%)")
    if out["amount_min"] > out["amount_max"]:
        raise ConfigError("quality.thresholds: amount_min is above amount_max")
    return out


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: '{value}' is not a number")
    return float(value)


def _positive_int(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: '{value}' is not a positive whole number")
    return value
