"""Validation of the `survivorship`, `rfm` and `reference_date` config sections.

Why here and strict: these sections are edited by marketing analysts, and a typo in a rule
name (`most_recnt`) or a range (`r: "4_5"`) would otherwise silently change who is a
Champion or which e-mail address a campaign uses. Every error names the offending key.

YAML shape::

    reference_date: 2026-01-31          # optional; RFM "as of" date, default: the run date
    survivorship:
      default: [not_bad, validated, trust, most_recent]
      fields:                           # optional overrides, per golden field
        email: [not_bad, trust, most_frequent, most_recent]
        address: [not_bad, validated, most_recent, trust]
    rfm:
      segments:                         # optional; default: rfm_segments.yaml beside this file
        - {segment: Champions, r: "5", f: "4-5"}
        - {segment: Lost, r: 1, f: 1, m: "1-2"}
      unmatched_segment: Other          # optional; scored customers no rule matched
      no_purchase_segment: No purchase  # optional; customers with no counted order
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cdp_pipeline.config import Config, ConfigError, _check_keys as _check_known_keys

RULES = ("not_bad", "validated", "trust", "most_recent", "most_frequent")
# Golden fields that survive independently; `address` is one block (lines, postcode, city...).
FIELDS = ("civility", "first_name", "last_name", "birth_name", "birth_date", "email", "mobile", "landline", "address")
DEFAULT_RULES = ("not_bad", "validated", "trust", "most_recent")
SEGMENTS_FILE = Path(__file__).with_name("rfm_segments.yaml")
_RANGE = re.compile(r"^\s*([1-5])\s*(?:-\s*([1-5])\s*)?$")


@dataclass(frozen=True)
class SegmentRule:
    segment: str
    ranges: dict[str, tuple[int, int]]  # score letter (r, f, m) -> inclusive range


@dataclass(frozen=True)
class RfmSettings:
    segments: tuple[SegmentRule, ...]
    unmatched_segment: str = "Other"
    no_purchase_segment: str = "No purchase"


def survivorship_rules(cfg: Config) -> dict[str, tuple[str, ...]]:
    """Ordered rules per golden field. `not_bad` is always applied first, listed or not:
    a known-bad value must never win, so a rule list cannot push it later."""
    raw = cfg.survivorship or {}
    _check_keys("survivorship", raw, {"default", "fields"})
    default = _rule_list("survivorship.default", raw.get("default", list(DEFAULT_RULES)))
    overrides = raw.get("fields") or {}
    if not isinstance(overrides, dict):
        raise ConfigError("survivorship.fields: must map a field name to a rule list")
    _check_keys("survivorship.fields", overrides, set(FIELDS))
    return {f: _rule_list(f"survivorship.fields.{f}", overrides[f]) if f in overrides else default for f in FIELDS}


def _rule_list(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: must be a non-empty list of rules ({', '.join(RULES)})")
    unknown = [str(r) for r in value if r not in RULES]
    if unknown:
        raise ConfigError(f"{where}: unknown rule(s) {', '.join(unknown)}; allowed: {', '.join(RULES)}")
    if len(set(value)) != len(value):
        raise ConfigError(f"{where}: a rule is listed twice")
    if "not_bad" in value and value[0] != "not_bad":
        raise ConfigError(f"{where}: not_bad is always applied first; list it first or leave it out")
    return tuple(r for r in value if r != "not_bad")


def rfm_settings(cfg: Config) -> RfmSettings:
    raw = cfg.rfm or {}
    _check_keys("rfm", raw, {"segments", "unmatched_segment", "no_purchase_segment"})
    if "segments" in raw:
        rules, where = raw["segments"], "rfm.segments"
    else:
        rules, where = yaml.safe_load(SEGMENTS_FILE.read_text(encoding="utf-8"))["segments"], SEGMENTS_FILE.name
    if not isinstance(rules, list) or not rules:
        raise ConfigError(f"{where}: must be a non-empty list of {{segment, r, f, m}} rules")
    names = {}
    for key in ("unmatched_segment", "no_purchase_segment"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise ConfigError(f"rfm.{key}: must be a non-empty segment name")
        names[key] = raw[key] if key in raw else RfmSettings.__dataclass_fields__[key].default
    return RfmSettings(tuple(_segment_rule(f"{where}[{i}]", r) for i, r in enumerate(rules)), **names)


def _segment_rule(where: str, rule: Any) -> SegmentRule:
    if not isinstance(rule, dict):
        raise ConfigError(f"{where}: must be a mapping like {{segment: Champions, r: \"4-5\", f: \"4-5\"}}")
    _check_keys(where, rule, {"segment", "r", "f", "m"})
    name = rule.get("segment")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}.segment: missing or empty")
    ranges = {}
    for letter in ("r", "f", "m"):
        if letter in rule:
            m = _RANGE.match(str(rule[letter]))
            lo, hi = (int(m.group(1)), int(m.group(2) or m.group(1))) if m else (0, 0)
            if not m or lo > hi:
                raise ConfigError(f"{where}.{letter}: '{rule[letter]}' is not a score 1-5 or a range like \"4-5\"")
            ranges[letter] = (lo, hi)
    return SegmentRule(name, ranges)


def reference_date(cfg: Config, run_ts: dt.datetime | dt.date) -> dt.date:
    """The RFM "as of" date: pinned by the config (reproducible reports, tests), else the run's date."""
    if cfg.reference_date:
        try:
            return dt.date.fromisoformat(str(cfg.reference_date))
        except ValueError:
            raise ConfigError(f"reference_date: '{cfg.reference_date}' is not a date YYYY-MM-DD") from None
    return run_ts.date() if isinstance(run_ts, dt.datetime) else run_ts


def _check_keys(where: str, data: Any, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a mapping")
    _check_known_keys(where, data, allowed)
