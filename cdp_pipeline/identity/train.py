"""Unsupervised training of the Splink model, saved as a versioned artifact.

Why train on our own data without labels: no customer base comes with a ground truth, and
m/u values depend on each source mix (how often a mobile number is missing, how common a
surname is). Training is the slow, noisy part, so a model is reused night after night and
retrained only when asked, when none exists, or when the record count drifted by more than
`drift_share` since training (new sources change the value distributions).

Why versioned files plus `identity.models`: record_links and customer_xref carry the model
version, so any link can be traced back to the exact parameters that produced it.

Why term frequencies are frozen with the model (`identity.term_frequencies`): a pair's score
must depend on the model and the pair only. Recomputed each night, name frequencies drift a
little with every new record, so an unchanged pair kept from last night and the same pair
rescored by a full run could land on both sides of the threshold, and incremental runs would
no longer cluster like full ones. A name first seen after training gets no adjustment.

Why a spec fingerprint: a model saved by older code may read columns or levels the current
`settings.py` no longer has; such a model is retrained rather than loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker

from cdp_pipeline.config import Config
from cdp_pipeline.identity.session import INPUT, Session, open_session, registered
from cdp_pipeline.identity.settings import (
    FIRST_NAME_SHARE_FROM,
    TF_COLUMNS,
    UNOBSERVED_SPLITS,
    build_settings,
    count_pairs,
    model_level,
    prior_rule,
    select_blocking_rules,
    training_rules,
)
from cdp_pipeline.warehouse import run_sql_file

log = logging.getLogger(__name__)

# An EM session on fewer pairs than this learns noise (or fails); it is skipped.
MIN_EM_PAIRS = 50
# Share of true matches the deterministic rules are assumed to find: the starting prior for EM,
# re-estimated after EM from the trained m values (`_recalibrated`).
DETERMINISTIC_RECALL = 0.7
# remove_matches_from_u never divides a u value by more than this.
MAX_U_CORRECTION = 10.0
# No agreement level of a trained comparison has an m below this (see `floor_m`).
MIN_M = 1e-4


def spec_of(settings: dict[str, Any]) -> str:
    """Fingerprint of what a model compares (columns, level conditions, tf columns), not its parameters."""
    spec = [(c["output_column_name"], [(lvl["sql_condition"], lvl.get("tf_adjustment_column"))
                                       for lvl in c["comparison_levels"]])
            for c in settings["comparisons"]]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]


def current_spec() -> str:
    return spec_of(build_settings([]).get_settings("duckdb").as_dict())


@dataclass(frozen=True)
class Model:
    version: str
    path: Path
    records: int
    spec: str
    blocking: tuple[dict[str, Any], ...] = ()  # per-rule comparison counts, when trained now


def latest_model(con: duckdb.DuckDBPyConnection) -> Model | None:
    run_sql_file(con, "identity/tables.sql")
    row = con.execute(
        "SELECT model_version, path, records, settings_json FROM identity.models "
        "ORDER BY trained_at DESC, model_version DESC LIMIT 1"
    ).fetchone()
    if row is None or not Path(row[1]).is_file():
        return None
    return Model(version=row[0], path=Path(row[1]), records=int(row[2]), spec=spec_of(json.loads(row[3])))


def retrain_reason(latest: Model | None, n_records: int, cfg: Config) -> str | None:
    """Why a new model is needed now, or None to reuse `latest`."""
    if latest is None:
        return "no model"
    if latest.spec != current_spec():
        return "model settings changed"
    if cfg.identity.retrain == "always":
        return "retrain: always"
    if cfg.identity.retrain == "never":
        return None
    if abs(n_records - latest.records) > cfg.identity.drift_share * max(latest.records, 1):
        return "record count drift"
    return None


def _recalibrated(linker: Linker, session: Session, sampled_pairs: float) -> dict[str, Any]:
    """The trained model, with its prior and u values corrected using the trained m values.

    Why the prior again: before EM it rests on an assumed recall of the deterministic rules
    (DETERMINISTIC_RECALL), right for clean data and far too high where names or dates are
    often mistyped. After EM the model knows how often matches agree exactly on first name,
    last name and birth date, so the recall of that rule is estimated from its m values and
    the columns' fill rates, and the prior is re-estimated from the rule's pair count.
    Why u (`remove_matches_from_u`) and the split levels (`split_unobserved_m`): see there.
    """
    model = _with_recalibrated_prior(linker, session, linker.misc.save_model_to_json())
    return remove_matches_from_u(fill_unobserved_u(floor_m(split_unobserved_m(model)), sampled_pairs))


def split_unobserved_m(model: dict[str, Any]) -> dict[str, Any]:
    """Give the levels no EM session can observe (settings.UNOBSERVED_SPLITS) an m of their own.

    Why: left untrained, Splink scores such a level with a default m (0.05 spread over the
    lower levels), the same on every dataset. Assuming a birth date typo and a replaced first
    name happen independently, P(same date, other first name | match) is P(same date | match)
    times the share of matches with incompatible first names; that share is read from the
    address comparison, whose EM session saw first names free and split its top level on the
    same predicate. FEBRL (first names often replaced): 0.10; the demo: 0.02. A level some
    session did train, or a model without the address split, is left as it is.
    """
    column, same, other = FIRST_NAME_SHARE_FROM
    m_same, m_other = (model_level(model, column, label=label).get("m_probability") for label in (same, other))
    if not (isinstance(m_same, float) and isinstance(m_other, float) and m_same + m_other > 0):
        return model
    share = m_other / (m_same + m_other)
    for column, trained, unobserved in UNOBSERVED_SPLITS:
        a, b = model_level(model, column, label=trained), model_level(model, column, label=unobserved)
        if isinstance(a.get("m_probability"), float) and not isinstance(b.get("m_probability"), float):
            m = a["m_probability"]
            a["m_probability"], b["m_probability"] = m * (1 - share), m * share
    return model


def _with_recalibrated_prior(linker: Linker, session: Session, model: dict[str, Any]) -> dict[str, Any]:
    """`model` with the prior re-estimated from the trained m values (see `_recalibrated`);
    unchanged when EM could not train one of the prior rule's levels or the rule finds no pair."""
    rule, levels = prior_rule()
    m = {lvl.get("label_for_charts"): lvl.get("m_probability")
         for c in model["comparisons"] for lvl in c["comparison_levels"]}
    if not all(isinstance(m.get(label), float) for label in levels.values()):
        return model
    recall = math.prod(m[label] for label in levels.values())
    fill = session.mem.execute(
        "SELECT " + ", ".join(f"avg(({col} IS NOT NULL)::INT)" for col in levels) + f" FROM {INPUT}"
    ).fetchone()
    recall *= math.prod(share * share for share in fill)  # both records of a pair filled
    if recall > 0:
        linker.training.estimate_probability_two_random_records_match([rule], recall=recall)
        recalibrated = linker.misc.save_model_to_json()
        if 0 < recalibrated["probability_two_random_records_match"] < 1:  # 0 when the rule finds no pair
            return recalibrated
    return model


def fill_unobserved_u(model: dict[str, Any], sampled_pairs: float) -> dict[str, Any]:
    """Give a u to the trained levels no random pair reached: 1 / the number of pairs sampled.

    Why: u comes from `u_max_pairs` random pairs. At a million people two random records share
    an email, a phone or a birth date far less often than once in a million pairs, so the
    strongest levels came out with no u at all, and Splink scores a level without u as no
    evidence: the same email counted for nothing and recall fell from 0.98 to 0.90. None of N
    sampled pairs agreeing says u is below about 1/N; 1/N is the cautious end of that bound
    (the weight is understated, never inflated beyond what the sample supports).
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if (not level.get("is_null_level") and isinstance(level.get("m_probability"), float)
                    and not isinstance(level.get("u_probability"), float)):
                level["u_probability"] = 1.0 / sampled_pairs
    return model


def floor_m(model: dict[str, Any]) -> dict[str, Any]:
    """Raise m values EM drove to (almost) zero to MIN_M, then renormalise each comparison.

    Why: EM on a few thousand pairs that never saw a match disagree on, say, the address,
    concludes that matches never do, and the level weighs -30 or less: one swapped field
    then vetoes a pair that agrees on everything else. Real data has such errors at some small
    rate; MIN_M bounds a disagreement's weight near log2(MIN_M / u), about -13, which still
    outweighs any single agreement. Same spirit as the u floor in `remove_matches_from_u`.
    """
    for comparison in model["comparisons"]:
        levels = [lvl for lvl in comparison["comparison_levels"]
                  if not lvl.get("is_null_level") and isinstance(lvl.get("m_probability"), float)]
        if not levels:
            continue
        for level in levels:
            level["m_probability"] = max(level["m_probability"], MIN_M)
        total = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] /= total
    return model


def remove_matches_from_u(model: dict[str, Any]) -> dict[str, Any]:
    """Take the true matches out of the u values estimated on random pairs.

    Why: u is P(level | two different people), but a random sample also holds true matches
    (a share equal to the prior). For levels that almost only matches reach (same email, same
    number and street) they are much of what the sample sees, so u comes out too large and
    the strongest evidence is underweighted, the more so the more duplicated the data.
    Observed u = prior * m + (1 - prior) * u_true, solved for u_true; floored at
    1/MAX_U_CORRECTION of the observed value so that noise never makes a level a certainty.
    """
    prior = model["probability_two_random_records_match"]
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if isinstance(m, float) and isinstance(u, float):
                level["u_probability"] = max((u - prior * m) / (1 - prior), u / MAX_U_CORRECTION)
    return model


def train_model(session: Session, cfg: Config) -> tuple[Model, dict[str, Any], pa.Table]:
    """Train on the session's records and save `models_dir/model_<version>.json`.

    Also returns the term frequency tables (column_name, value, tf) to freeze with the model.
    """
    icfg = cfg.identity
    rules, blocking = select_blocking_rules(session.records, session.n_records, icfg)
    linker = Linker(session.records, build_settings(rules), log_level=None)
    training = training_rules()
    linker.training.estimate_probability_two_random_records_match(
        training["deterministic"], recall=DETERMINISTIC_RECALL
    )
    settings = linker._settings_obj
    if not 0 < settings._probability_two_random_records_match < 1:
        # No deterministic match at all (a tiny or brand-new feed): a prior of 0 would make every
        # match weight -inf. Assume about one duplicate per record until EM and data say more.
        settings._probability_two_random_records_match = min(0.5, 2 / max(session.n_records, 4))
    linker.training.estimate_u_using_random_sampling(max_pairs=icfg.u_max_pairs, seed=icfg.seed)
    for rule in training["em"]:
        if count_pairs(session.records, rule, session.n_records) < MIN_EM_PAIRS:
            continue
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=icfg.em_max_pairs
            )
        except ValueError:
            # On small or very clean data EM can push an m value to 0.0 (underflow), which
            # Splink refuses; the session is skipped and its comparisons keep earlier values.
            log.warning("EM session skipped: an m probability underflowed (%s)",
                        rule.get_blocking_rule("duckdb").blocking_rule_sql)
    model_dict = _recalibrated(linker, session, icfg.u_max_pairs)
    text = json.dumps(model_dict, indent=2, sort_keys=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version = f"{stamp}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    path = Path(cfg.models_dir) / f"model_{version}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    frequencies = pa.concat_tables([
        session.mem.execute(
            f"SELECT ? AS column_name, {col} AS value, tf_{col} AS tf FROM "
            f"{linker.table_management.compute_tf_table(col).physical_name}", [col]
        ).to_arrow_table()
        for col in TF_COLUMNS
    ])
    model = Model(version, path, session.n_records, spec_of(model_dict), tuple(blocking))
    return model, model_dict, frequencies


def ensure_model(con: duckdb.DuckDBPyConnection, session: Session, cfg: Config,
                 force: bool = False) -> Model:
    """The model this run scores with: the latest one, or a freshly trained one."""
    latest = latest_model(con)
    reason = "requested" if force else retrain_reason(latest, session.n_records, cfg)
    if reason is None:
        return latest
    log.info("training identity model (%s) on %d records", reason, session.n_records)
    model, model_dict, frequencies = train_model(session, cfg)
    with registered(con, "__tf", frequencies):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO identity.models VALUES (?, ?, ?, ?, ?)",
                [model.version, datetime.now(timezone.utc).replace(tzinfo=None), str(model.path),
                 model.records, json.dumps(model_dict, sort_keys=True)],
            )
            con.execute("INSERT INTO identity.term_frequencies SELECT ?, column_name, value, tf FROM __tf",
                        [model.version])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return model


def retrain(con: duckdb.DuckDBPyConnection, cfg: Config) -> Model:
    """Train a new model now, whatever the policy; the next `link()` relinks everything with it."""
    with open_session(con, cfg.identity) as session:
        return ensure_model(con, session, cfg, force=True)
