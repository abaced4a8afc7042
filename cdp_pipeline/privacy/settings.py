"""The `retention:` and `gdpr:` sections of the config, validated with the key's name.

    retention:
      prospect_years: 3      # no paid order: purged 3 years after the last contact they initiated
      customer_years: 3      # purged 3 years after the last paid purchase (CNIL guidance)

    gdpr:
      controller:            # optional, copied into the Article 30 register
        name: Maison Lumière SAS
        contact: dpo@example.fr
      processing_register: register.yaml   # optional: a YAML file (relative to the config) or an
                                           # inline list of activities; default: the packaged one
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cdp_pipeline.config import Config, ConfigError
from cdp_pipeline.marketing.settings import _keys

DEFAULT_REGISTER = Path(__file__).with_name("register_default.yaml")
ACTIVITY_KEYS = {"activity", "purposes", "legal_basis", "data_categories", "data_subjects", "recipients",
                 "retention", "transfers", "security_measures"}


@dataclass(frozen=True)
class RetentionSettings:
    prospect_years: int = 3
    customer_years: int = 3


@dataclass(frozen=True)
class GdprSettings:
    controller: dict = field(default_factory=dict)
    activities: tuple[dict, ...] = ()


def retention_settings(cfg: Config) -> RetentionSettings:
    data = _keys("retention", cfg.retention, {"prospect_years", "customer_years"})
    values = {}
    for key in ("prospect_years", "customer_years"):
        v = data.get(key, 3)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 30:
            raise ConfigError(f"retention.{key}: must be a whole number of years between 1 and 30")
        values[key] = v
    return RetentionSettings(**values)


def gdpr_settings(cfg: Config) -> GdprSettings:
    data = _keys("gdpr", cfg.gdpr, {"controller", "processing_register"})
    controller = _keys("gdpr.controller", data.get("controller") or {}, {"name", "address", "contact", "dpo"})
    register = data.get("processing_register")
    where = "gdpr.processing_register"
    if register is None or isinstance(register, str):
        path = DEFAULT_REGISTER if register is None else (cfg.root / register)
        if not path.is_file():
            raise ConfigError(f"{where}: file not found: {path}")
        register = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(register, list) or not register:
        raise ConfigError(f"{where}: must be a non-empty list of processing activities")
    for i, act in enumerate(register):
        _keys(f"{where}[{i}]", act, ACTIVITY_KEYS)
        missing = sorted(ACTIVITY_KEYS - set(act))
        if missing:
            raise ConfigError(f"{where}[{i}]: missing key(s) {', '.join(missing)}")
    return GdprSettings({str(k): str(v) for k, v in controller.items()}, tuple(register))
