"""The `consent:` and `audiences:` sections of the config, validated with the key's name.

config.py only checks audiences for name/channel/purpose; the full shape lives here so the
marketing rules and their validation change together.

    consent:
      purposes: [newsletter, offers, loyalty, service]   # known purposes (audiences must use one)
      soft_opt_in:                  # email soft opt-in for existing customers (CNIL, art. L34-5 CPCE)
        enabled: false              # off by default: 'soft_opt_in' rows are written but not usable
        purposes: [offers]          # purposes it may cover (similar products/services)
      max_per_30_days: null         # global pressure cap per customer and channel, across audiences

    audiences:
      - name: champions_email       # lower-case, digits, _ (it names the export file)
        channel: email              # email | sms | phone | post
        purpose: newsletter         # one of consent.purposes
        filter: "segment IN ('Champions', 'Loyal')"   # optional predicate over golden + rfm columns
        fallback: post              # optional: channel used when the primary one is not usable
        max_per_30_days: 4          # optional: overrides consent.max_per_30_days for this audience
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdp_pipeline.config import CHANNELS, Config, ConfigError

DEFAULT_PURPOSES = ("newsletter", "offers", "loyalty", "service")
AUDIENCE_CHANNELS = ("email", "sms", "phone", "post")  # push has no contact point in golden records
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ConsentSettings:
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    soft_opt_in_enabled: bool = False
    soft_opt_in_purposes: tuple[str, ...] = ("offers",)
    max_per_30_days: int | None = None


@dataclass(frozen=True)
class Audience:
    name: str
    channel: str
    purpose: str
    filter: str | None = None
    fallback: str | None = None
    max_per_30_days: int | None = None


def _keys(where: str, data: object, allowed: set[str]) -> dict:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a mapping")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return data


def _cap(where: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: must be a positive integer")
    return value


def _names(where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
        raise ConfigError(f"{where}: must be a list of lower-case names")
    return tuple(value)


def consent_settings(cfg: Config) -> ConsentSettings:
    data = _keys("consent", cfg.consent, {"purposes", "soft_opt_in", "max_per_30_days"})
    purposes = _names("consent.purposes", data.get("purposes", list(DEFAULT_PURPOSES)))
    soft = _keys("consent.soft_opt_in", data.get("soft_opt_in") or {}, {"enabled", "purposes"})
    enabled = soft.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ConfigError("consent.soft_opt_in.enabled: must be true or false")
    soft_purposes = _names("consent.soft_opt_in.purposes", soft.get("purposes", ["offers"]))
    unknown = sorted(set(soft_purposes) - set(purposes))
    if unknown:
        raise ConfigError(f"consent.soft_opt_in.purposes: {', '.join(unknown)} not in consent.purposes")
    return ConsentSettings(purposes, enabled, soft_purposes, _cap("consent.max_per_30_days", data.get("max_per_30_days")))


def audiences(cfg: Config) -> tuple[Audience, ...]:
    """Validate every audience's shape (the filter is checked against the data in audiences.py)."""
    purposes = consent_settings(cfg).purposes
    out: list[Audience] = []
    for i, raw in enumerate(cfg.audiences):
        where = f"audiences[{i}]"
        data = _keys(where, raw, {"name", "channel", "purpose", "filter", "fallback", "max_per_30_days"})
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"{where}.name: must be lower-case letters, digits and _ (it names the export file)")
        where = f"audiences '{name}'"
        if name in {a.name for a in out}:
            raise ConfigError(f"{where}: duplicate audience name")
        for key in ("channel", "fallback"):
            value = data.get(key)
            if value is not None and value not in AUDIENCE_CHANNELS:
                hint = " (push has no contact point in golden records)" if value in CHANNELS else ""
                raise ConfigError(f"{where}.{key}: must be one of {', '.join(AUDIENCE_CHANNELS)}{hint}")
        if data.get("fallback") == data["channel"]:
            raise ConfigError(f"{where}.fallback: must differ from channel")
        if data.get("purpose") not in purposes:
            raise ConfigError(f"{where}.purpose: must be one of consent.purposes ({', '.join(purposes)})")
        flt = data.get("filter")
        if flt is not None and (not isinstance(flt, str) or not flt.strip()):
            raise ConfigError(f"{where}.filter: must be a non-empty SQL predicate")
        out.append(Audience(name, data["channel"], data["purpose"], flt, data.get("fallback"),
                            _cap(f"{where}.max_per_30_days", data.get("max_per_30_days"))))
    return tuple(out)
