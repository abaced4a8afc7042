"""Typed loading and validation of the YAML configuration.

Why strict: a data engineer adds a channel by editing YAML, so a typo in a key
(`delimeter:`) must fail loudly with the key's name rather than be ignored and
silently change how a file is read. Every relative path is resolved against the
config file's folder, so `cdp run --config` works from any working directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

KINDS = ("customers", "orders", "consent_events", "suppressions", "erasure_requests")
FORMATS = ("csv", "jsonl", "parquet")
CHANNELS = ("email", "sms", "phone", "post", "push")

# Canonical fields per kind: name -> required?
CANONICAL_FIELDS: dict[str, dict[str, bool]] = {
    "customers": {
        "source_record_id": True,
        "civility": False,
        "first_name": False,
        "last_name": False,
        "birth_name": False,
        "birth_date": False,
        "email": False,
        "phone": False,
        "address_line1": False,
        "address_line2": False,
        "postcode": False,
        "city": False,
        "country": False,
        "loyalty_id": False,
        "account_id": False,
        "created_at": False,
        "updated_at": False,
    },
    "orders": {
        "order_id": True,
        "customer_record_id": True,
        "order_ts": True,
        "amount": True,
        "currency": False,
        "status": False,
        "store_or_site": False,
    },
    "consent_events": {
        "event_ts": True,
        "channel": True,
        "purpose": True,
        "status": True,
        "email": False,
        "phone": False,
        "customer_record_id": False,
        "collected_via": False,
        "proof": False,
    },
    "suppressions": {
        "contact_point": True,
        "channel": True,
        "reason": True,
        "event_ts": False,
    },
    "erasure_requests": {
        "request_id": True,
        "received_ts": True,
        "email": False,
        "phone": False,
        "customer_record_id": False,
    },
    # Call-centre / after-sales contacts: who called, when, why (customer 360).
    "contacts": {
        "contact_id": True,
        "customer_record_id": True,
        "contact_ts": True,
        "channel": False,
        "reason": False,
        "outcome": False,
    },
}


class ConfigError(ValueError):
    """A configuration problem, with the key path that caused it."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    path: str  # glob, absolute after loading
    format: str
    columns: dict[str, str]  # canonical field -> column in the file
    delimiter: str = ","
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    timestamp_format: str | None = None  # default: ISO-8601 or date_format
    decimal_separator: str = "."
    country: str = "FR"
    trust: int = 1
    customer_source: str | None = None
    description: str = ""

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    def file_column(self, canonical: str) -> str | None:
        return self.columns.get(canonical)

    @property
    def required_fields(self) -> list[str]:
        return [f for f, req in CANONICAL_FIELDS[self.kind].items() if req]


@dataclass(frozen=True)
class DuckDBSettings:
    threads: int = 2
    memory_limit: str = "6GB"
    temp_directory: str = "data/tmp"


@dataclass(frozen=True)
class SparkSettings:
    """Where `identity.backend: spark` scores pairs (cdp_pipeline/identity/spark_backend.py).

    `master`: `local[N]` runs Spark inside the pipeline's process (tests, one big machine);
    `spark://host:7077`, `yarn` or `k8s://...` submit to a cluster. Ignored when a Spark session
    already exists (spark-submit, Databricks): that session is used as it is.
    `checkpoint_dir`: where Splink writes its intermediate tables; on a cluster it must be
    storage every executor reaches (hdfs://, s3a://, dbfs:/), relative paths are local.
    `conf`: extra `spark.*` settings for a session the pipeline starts itself.
    """

    master: str = "local[2]"
    app_name: str = "cdp-identity"
    checkpoint_dir: str = "data/tmp/spark-checkpoints"
    conf: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IdentityConfig:
    backend: str = "duckdb"  # duckdb | spark
    match_threshold: float = 0.95  # cluster edges at or above this probability
    link_floor: float = 0.5  # pairs kept in identity.record_links
    retrain: str = "auto"  # auto | never | always
    drift_share: float = 0.25  # retrain when records grew/shrank by more than this share
    max_pairs_per_record: float = 200.0  # blocking guard (comparisons per record)
    shared_identifier_max_people: int = 3  # an email/phone used by more distinct names is junk
    u_max_pairs: float = 1e6  # random pairs sampled to estimate u (training cost)
    em_max_pairs: float = 2e6  # cap on blocked pairs per EM session (training cost)
    seed: int = 42  # u sampling seed: the same data trains the same model
    duckdb: DuckDBSettings = field(default_factory=DuckDBSettings)
    spark: SparkSettings = field(default_factory=SparkSettings)


@dataclass(frozen=True)
class Config:
    path: Path  # the config file
    warehouse: Path
    sources: tuple[Source, ...]
    publish_path: Path
    exports_dir: Path
    models_dir: Path
    artifacts_dir: Path
    reference_date: str | None = None
    publish_include: tuple[str, ...] = ("bi.*", "audit.*", "gdpr.processing_register")
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    survivorship: dict[str, Any] = field(default_factory=dict)
    rfm: dict[str, Any] = field(default_factory=dict)
    consent: dict[str, Any] = field(default_factory=dict)
    audiences: tuple[dict[str, Any], ...] = ()
    retention: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    gdpr: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    def sources_of(self, kind: str) -> list[Source]:
        return [s for s in self.sources if s.kind == kind]

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)


TOP_LEVEL_KEYS = {f.name for f in fields(Config)} - {"path"}


def _resolve(base: Path, value: str) -> Path:
    p = Path(os.path.expandvars(str(value)))
    return p if p.is_absolute() else (base / p)


def _check_keys(where: str, data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _dataclass_from(cls, where: str, data: dict | None, **overrides):
    data = dict(data or {})
    allowed = {f.name for f in fields(cls)}
    _check_keys(where, data, allowed)
    data.update(overrides)
    return cls(**data)


def _parse_source(base: Path, i: int, raw: Any) -> Source:
    where = f"sources[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a mapping")
    allowed = {f.name for f in fields(Source)}
    _check_keys(where, raw, allowed)
    for key in ("name", "kind", "path", "format", "columns"):
        if key not in raw:
            raise ConfigError(f"{where}: missing required key '{key}'")
    name = str(raw["name"])
    where = f"source '{name}'"
    if not name.replace("_", "").isalnum() or not name[0].isalpha() or name != name.lower():
        raise ConfigError(f"{where}: name must be lower-case letters, digits and _ (it becomes a table name)")
    kind = raw["kind"]
    if kind not in KINDS and kind != "contacts":
        raise ConfigError(f"{where}: kind '{kind}' is not one of {', '.join(KINDS + ('contacts',))}")
    fmt = raw["format"]
    if fmt not in FORMATS:
        raise ConfigError(f"{where}: format '{fmt}' is not one of {', '.join(FORMATS)}")
    columns = raw["columns"]
    if not isinstance(columns, dict) or not columns:
        raise ConfigError(f"{where}: columns must map canonical fields to file columns")
    canonical = CANONICAL_FIELDS[kind]
    unknown = sorted(set(columns) - set(canonical))
    if unknown:
        raise ConfigError(
            f"{where}: unknown canonical field(s) {', '.join(unknown)} for kind {kind}; "
            f"allowed: {', '.join(canonical)}"
        )
    missing = [f for f, req in canonical.items() if req and f not in columns]
    if missing:
        raise ConfigError(f"{where}: required canonical field(s) not mapped: {', '.join(missing)}")
    if kind in ("orders", "contacts") and not raw.get("customer_source"):
        raise ConfigError(f"{where}: kind {kind} needs customer_source (the customers source its ids refer to)")
    if fmt != "csv":
        for csv_only in ("delimiter", "encoding"):
            if csv_only in raw:
                raise ConfigError(f"{where}: '{csv_only}' applies to csv sources only")
    if "encoding" in raw:
        import codecs

        try:
            codecs.lookup(raw["encoding"])
        except LookupError:
            raise ConfigError(f"{where}: unknown encoding '{raw['encoding']}'") from None
    country = str(raw.get("country", "FR")).upper()
    if len(country) != 2 or not country.isalpha():
        raise ConfigError(f"{where}: country must be an ISO-2 code, got '{raw.get('country')}'")
    values = dict(raw)
    values["path"] = str(_resolve(base, raw["path"]))
    values["columns"] = {str(k): str(v) for k, v in columns.items()}
    values["country"] = country
    values["trust"] = int(raw.get("trust", 1))
    return Source(**values)


def _parse_spark(base: Path, raw: Any) -> SparkSettings:
    """`identity.spark`, checked here rather than when Spark starts: a nightly run should not
    train and block for an hour before a typo in a Spark setting stops it."""
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError("identity.spark: must be a mapping")
    spark = _dataclass_from(SparkSettings, "identity.spark", raw)
    for key in ("master", "app_name", "checkpoint_dir"):
        if not isinstance(getattr(spark, key), str) or not getattr(spark, key).strip():
            raise ConfigError(f"identity.spark.{key}: must be a non-empty string")
    if not isinstance(spark.conf, dict):
        raise ConfigError("identity.spark.conf: must map spark.* settings to values")
    for key, value in spark.conf.items():
        if not isinstance(key, str) or not key.startswith("spark."):
            raise ConfigError(f"identity.spark.conf: '{key}' is not a spark.* setting")
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigError(f"identity.spark.conf.{key}: must be a string, number or boolean")
    checkpoint = spark.checkpoint_dir
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", checkpoint):  # a URL (hdfs://, dbfs:/) stays as it is
        checkpoint = str(_resolve(base, checkpoint))
    return SparkSettings(spark.master, spark.app_name, checkpoint, dict(spark.conf))


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load and validate a config file (default: $CDP_CONFIG, else ./cdp.yaml)."""
    path = Path(path or os.environ.get("CDP_CONFIG") or "cdp.yaml").resolve()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    _check_keys(str(path.name), data, TOP_LEVEL_KEYS)
    base = path.parent
    if "warehouse" not in data:
        raise ConfigError(f"{path.name}: missing required key 'warehouse'")
    sources = tuple(_parse_source(base, i, s) for i, s in enumerate(data.get("sources") or []))
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"sources: duplicate name(s) {', '.join(dupes)}")
    customer_names = {s.name for s in sources if s.kind == "customers"}
    for s in sources:
        if s.customer_source and s.customer_source not in customer_names:
            raise ConfigError(
                f"source '{s.name}': customer_source '{s.customer_source}' is not a customers source"
            )
    warehouse = _resolve(base, data["warehouse"])
    identity_raw = dict(data.get("identity") or {})
    duck = _dataclass_from(DuckDBSettings, "identity.duckdb", identity_raw.pop("duckdb", None))
    duck = DuckDBSettings(duck.threads, duck.memory_limit, str(_resolve(base, duck.temp_directory)))
    spark = _parse_spark(base, identity_raw.pop("spark", None))
    identity = _dataclass_from(IdentityConfig, "identity", identity_raw, duckdb=duck, spark=spark)
    if identity.backend not in ("duckdb", "spark"):
        raise ConfigError(f"identity.backend: '{identity.backend}' is not duckdb or spark")
    audiences = tuple(data.get("audiences") or ())
    for i, a in enumerate(audiences):
        if not isinstance(a, dict) or not {"name", "channel", "purpose"} <= set(a):
            raise ConfigError(f"audiences[{i}]: needs name, channel and purpose")
        if a["channel"] not in CHANNELS:
            raise ConfigError(f"audiences[{i}] '{a['name']}': channel must be one of {', '.join(CHANNELS)}")
    publish_path = _resolve(base, data.get("publish_path") or str(warehouse.with_name(warehouse.stem + "_bi.duckdb")))
    if publish_path.stem in ("bi", "marts", "audit", "gdpr", "raw", "staging", "identity", "quarantine"):
        # DuckDB names the catalog after the file: "bi.duckdb" would make bi.customers ambiguous
        raise ConfigError(f"publish_path: a file named '{publish_path.name}' clashes with a schema name")
    return Config(
        path=path,
        warehouse=warehouse,
        sources=sources,
        publish_path=publish_path,
        exports_dir=_resolve(base, data.get("exports_dir") or "data/exports"),
        models_dir=_resolve(base, data.get("models_dir") or "data/models"),
        artifacts_dir=_resolve(base, data.get("artifacts_dir") or "data/artifacts"),
        reference_date=(str(data["reference_date"]) if data.get("reference_date") else None),
        **({"publish_include": tuple(str(p) for p in data["publish_include"])} if data.get("publish_include") else {}),
        identity=identity,
        survivorship=dict(data.get("survivorship") or {}),
        rfm=dict(data.get("rfm") or {}),
        consent=dict(data.get("consent") or {}),
        audiences=audiences,
        retention=dict(data.get("retention") or {}),
        quality=dict(data.get("quality") or {}),
        gdpr=dict(data.get("gdpr") or {}),
        schedule=dict(data.get("schedule") or {}),
    )
