"""Splink model definition: which pairs are compared and how they are scored.

Why one builder for every dataset (demo, FEBRL, production): the settings must not be tuned
to a test set, or the F1 we measure on FEBRL says nothing about our customers. Everything
here reads the generic matching columns produced by `sql/identity/matching_input.sql`.

Why data-dependent blocking: a blocking rule that is cheap on one source can explode on
another (a default birth date, a shop's postcode). `select_blocking_rules` measures each rule
on the data and drops the ones that would cost more than `max_pairs_per_record` comparisons
per record; the chosen rules are then frozen into the trained model, so nightly incremental
runs block exactly like the run that trained it.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.splink_dataframe import SplinkDataFrame

from cdp_pipeline.config import IdentityConfig

log = logging.getLogger(__name__)

UNIQUE_ID = "record_id"
# Columns with term-frequency adjustments: a match on MARTIN is weaker evidence than on ZYLBERMAN.
# Incremental runs must register their tf tables before predict_between/predict_within.
TF_COLUMNS = ("first_name_std", "last_name_std")
# Exact counts below this size; above it Splink estimates from a sample of each side.
_EXACT_COUNT_MAX_RECORDS = 50_000


def _jw(col: str, threshold: float) -> cll.CustomLevel:
    return cll.CustomLevel(
        f"jaro_winkler_similarity({col}_l, {col}_r) >= {threshold}",
        label_for_charts=f"Jaro-Winkler {col} >= {threshold}",
    )


_NAMES_SWAPPED = (
    "jaro_winkler_similarity(first_name_std_l, last_name_std_r) >= 0.9"
    " AND jaro_winkler_similarity(last_name_std_l, first_name_std_r) >= 0.9"
)
# One name typed in the other's field (the other one missing or different).
_NAME_IN_OTHER_FIELD = (
    "jaro_winkler_similarity(first_name_std_l, last_name_std_r) >= 0.9"
    " OR jaro_winkler_similarity(last_name_std_l, first_name_std_r) >= 0.9"
)
# Married names: one record's birth (maiden) name is the other's last name, or both carry it.
_BIRTH_NAME_MATCH = (
    "(birth_name_std_l = last_name_std_r OR last_name_std_l = birth_name_std_r "
    "OR birth_name_std_l = birth_name_std_r)"
)


# Household identifiers (a family mailbox, a landline, the home address, twins' birth date)
# are shared by people with different first names. Naive Bayes would add their weights up
# and merge a family, so each agreement level is split by first-name compatibility.
# - Contact points (email, phone): agreement between different first names is treated like a
#   missing value (weight 0). It says "same household", and one family mailbox must never be
#   enough to merge two people.
# - Address: the "other first name" level keeps its own learned weight; a fixed 0 would throw
#   away the strongest remaining evidence for a record whose first name was mangled.
# - Birth date: between different first names it is evidence only when the two records do
#   not also share the home address; same birth date + same address + other first name is
#   the signature of twins, and weighs 0.
_SAME_HOME = "street_number_l = street_number_r AND street_name_l = street_name_r"
# Similar first names of opposite sexes (LOUIS M / LOUISE MME) are two family members; the same
# first name with opposite civilities is more likely a civility typed wrong. Similar means
# Jaro-Winkler >= 0.85: at 100k demo persons, same-surname pairs at one home with first names
# at 0.80-0.85 (MARIE / MELANIE) were 160 pairs of relatives against 87 of one person.
# `sex` is the stated civility, else the one the first name stands for in this warehouse
# (matching_input.sql).
_FIRST_NAMES_COMPATIBLE = (
    "(first_name_check_l IS NULL OR first_name_check_r IS NULL"
    " OR first_name_check_l = first_name_check_r"
    " OR (jaro_winkler_similarity(first_name_check_l, first_name_check_r) >= 0.85"
    " AND (sex_l IS NULL OR sex_r IS NULL OR sex_l = sex_r))"
    " OR (jaro_winkler_similarity(first_name_check_l, last_name_check_r) >= 0.9"
    " AND jaro_winkler_similarity(last_name_check_l, first_name_check_r) >= 0.9))"
)


def _split_by_first_name(condition: str, label: str, other_is_evidence: bool) -> list[cll.CustomLevel]:
    other = cll.CustomLevel(condition, label_for_charts=f"{label}, other first name")
    if not other_is_evidence:
        other = other.configure(is_null_level=True)
    return [
        cll.CustomLevel(f"({condition}) AND {_FIRST_NAMES_COMPATIBLE}", label_for_charts=label),
        other,
    ]


def first_name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name_std",
        comparison_levels=[
            cll.NullLevel("first_name_std"),
            cll.ExactMatchLevel(TF_COLUMNS[0], term_frequency_adjustments=True),
            cll.CustomLevel(_NAMES_SWAPPED, label_for_charts="First and last names swapped"),
            # LOUIS (M) / LOUISE (MME), LAURENT / LAURA: as close as a typo, and two relatives.
            # Its own learned weight, not the typo levels' (`sex` as in _FIRST_NAMES_COMPATIBLE).
            cll.CustomLevel("sex_l <> sex_r AND jaro_winkler_similarity(first_name_std_l, first_name_std_r) >= 0.8",
                            label_for_charts="Similar first name, other sex"),
            # JEAN / JEAN MARC: a compound name written short, or a father and his son.
            cll.CustomLevel("starts_with(first_name_std_l, first_name_std_r || ' ')"
                            " OR starts_with(first_name_std_r, first_name_std_l || ' ')",
                            label_for_charts="One first name starts the other"),
            # MARIE / MARTINE, JEAN LUC / JEAN MICHEL: two names this warehouse sees often, so two
            # people, not a typo (`first_name_common`: matching_input.sql).
            cll.CustomLevel("first_name_common_l AND first_name_common_r"
                            " AND jaro_winkler_similarity(first_name_std_l, first_name_std_r) >= 0.8",
                            label_for_charts="Two common first names, similar"),
            _jw("first_name_std", 0.92),
            _jw("first_name_std", 0.80),
            cll.CustomLevel(_NAME_IN_OTHER_FIELD, label_for_charts="Found in the other name field"),
            cll.ElseLevel(),
        ],
    )


def last_name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="last_name_std",
        comparison_levels=[
            cll.NullLevel("last_name_std"),
            cll.ExactMatchLevel(TF_COLUMNS[1], term_frequency_adjustments=True),
            # Counted once, by the first-name comparison: two levels would double the evidence.
            cll.CustomLevel(_NAMES_SWAPPED, label_for_charts="Swapped (scored on first name)")
            .configure(is_null_level=True),
            cll.CustomLevel(_BIRTH_NAME_MATCH, label_for_charts="Birth name matches"),
            _jw("last_name_std", 0.92),
            _jw("last_name_std", 0.80),
            cll.CustomLevel(_NAME_IN_OTHER_FIELD, label_for_charts="Found in the other name field"),
            # Marriage changes a woman's surname far more often than a man's: a different
            # surname between two men is its own, stronger, disagreement (`sex` as in
            # _FIRST_NAMES_COMPATIBLE).
            cll.CustomLevel("sex_l = 'M' AND sex_r = 'M'", label_for_charts="Other last name, both men"),
            cll.ElseLevel(),
        ],
    )


def birth_date_comparison() -> cl.CustomComparison:
    same = "birth_date_l = birth_date_r"
    as_text = "strftime(birth_date_{side}, '%Y%m%d')"
    one_char = (
        f"damerau_levenshtein({as_text.format(side='l')}, {as_text.format(side='r')}) <= 1"
        " OR (year(birth_date_l) = year(birth_date_r)"
        " AND month(birth_date_l) = day(birth_date_r) AND day(birth_date_l) = month(birth_date_r))"
    )
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.CustomLevel(f"{same} AND {_FIRST_NAMES_COMPATIBLE}", label_for_charts="Same birth date"),
            cll.CustomLevel(
                f"{same} AND {_SAME_HOME}", label_for_charts="Same birth date and home, other first name",
            ).configure(is_null_level=True),
            cll.CustomLevel(same, label_for_charts="Same birth date, other first name"),
            cll.CustomLevel(one_char, label_for_charts="One character or day/month swap"),
            cll.CustomLevel(
                "date_trunc('month', birth_date_l) = date_trunc('month', birth_date_r)",
                label_for_charts="Same year and month",
            ),
            cll.ElseLevel(),
        ],
    )


def email_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            *_split_by_first_name("email_l = email_r", "Same email", False),
            # A local part spelled from the surname (jean.martin@...) or from the first name alone
            # (benoit1998@...) is shared by namesakes: the names and the birth date already carry
            # that evidence, so it counts as missing.
            cll.CustomLevel("email_local_l = email_local_r AND email_local_is_name_l",
                            label_for_charts="Same local part, made of the names").configure(is_null_level=True),
            *_split_by_first_name("email_local_l = email_local_r", "Same local part", False),
            cll.ElseLevel(),
        ],
    )


def phone_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            *_split_by_first_name("phone_l = phone_r", "Same phone", False),
            cll.CustomLevel(
                f"damerau_levenshtein(phone_l, phone_r) <= 1 AND {_FIRST_NAMES_COMPATIBLE}",
                label_for_charts="One digit apart",
            ),
            cll.ElseLevel(),
        ],
    )


def address_comparison() -> cl.CustomComparison:
    """Street and place in one comparison.

    Why one: the same number and street almost always come with the same postcode, so two
    comparisons would count one fact twice (naive Bayes adds their weights). That double count
    made a household sharing a surname and a home outweigh two different first names.
    Records without a street (app users) are still compared on postcode and commune.
    """
    same_place = (
        "(postcode_l = postcode_r OR city_l = city_r"
        " OR postcode_l IS NULL OR postcode_r IS NULL)"
    )
    same_street = f"street_number_l = street_number_r AND street_name_l = street_name_r AND {same_place}"
    same_commune = "postcode_l = postcode_r AND (city_l = city_r OR city_l IS NULL OR city_r IS NULL)"
    similar_street = (
        "street_number_l = street_number_r"
        f" AND jaro_winkler_similarity(street_name_l, street_name_r) >= 0.88 AND {same_place}"
    )
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(street_name_l IS NULL OR street_name_r IS NULL)"
                " AND (postcode_l IS NULL OR postcode_r IS NULL) AND (city_l IS NULL OR city_r IS NULL)",
                label_for_charts="Null",
            ).configure(is_null_level=True),
            *_split_by_first_name(same_street, "Same number and street", True),
            *_split_by_first_name(similar_street, "Same number, similar street", True),
            # The street without the place: a street name found in many communes, or a
            # mistyped postcode and commune.
            cll.CustomLevel(
                "street_number_l = street_number_r"
                " AND jaro_winkler_similarity(street_name_l, street_name_r) >= 0.88",
                label_for_charts="Same number, same or similar street, other place",
            ),
            # A record without a street (app users) against one with it is not a move:
            # two levels, or movers would lend their low weight to the missing street.
            cll.CustomLevel(
                f"{same_commune} AND (street_name_l IS NULL OR street_name_r IS NULL)",
                label_for_charts="Same postcode and commune, street unknown",
            ),
            # Movers within a commune, but only when a birth date backs the name: without one,
            # the same name at another checked address of the same commune is mostly a
            # namesake (a relative, a homonym), and naive Bayes would add the place on top of
            # the name; such pairs fall to the weaker "same postcode or commune" level. An
            # unchecked address that differs may be the same home mistyped.
            cll.CustomLevel(
                f"{same_commune} AND NOT (coalesce(address_checked_l AND address_checked_r, FALSE)"
                " AND (birth_date_check_l IS NULL OR birth_date_check_r IS NULL))",
                label_for_charts="Same postcode and commune, other street",
            ),
            # The building or place name (address line 3) when the street and the place disagree:
            # a street typed in the other line, or mangled beyond a typo, and a mistyped postcode.
            cll.CustomLevel(
                "jaro_winkler_similarity(street_name_l, address_extra_r) >= 0.9"
                " OR jaro_winkler_similarity(address_extra_l, street_name_r) >= 0.9",
                label_for_charts="Street and building lines swapped",
            ),
            cll.CustomLevel(
                "jaro_winkler_similarity(address_extra_l, address_extra_r) >= 0.9",
                label_for_charts="Same or similar building, other street",
            ),
            cll.CustomLevel(
                "postcode_l = postcode_r OR commune_code_l = commune_code_r OR city_l = city_r",
                label_for_charts="Same postcode or commune",
            ),
            cll.CustomLevel(
                "damerau_levenshtein(postcode_l, postcode_r) <= 1"
                " OR jaro_winkler_similarity(city_l, city_r) >= 0.9",
                label_for_charts="Postcode one character apart or similar commune name",
            ),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[cl.CustomComparison]:
    return [
        first_name_comparison(),
        last_name_comparison(),
        birth_date_comparison(),
        email_comparison(),
        phone_comparison(),
        address_comparison(),
    ]


def candidate_blocking_rules() -> list[BlockingRuleCreator]:
    """All rules, most specific first; `select_blocking_rules` drops the expensive ones.

    Each rule covers a way two records of one person can still agree exactly on something:
    a contact point, name + birth date with one of them mistyped, a household address for
    people whose name and birth date are both damaged, swapped or married names, and
    prefix variants for typos early in the word. The last ones catch records damaged in two
    places (a typo in each name, or in the street and the postcode) and names swapped with a
    typo; on large data most of them fall outside the budget.
    """
    return [
        block_on("email"),
        block_on("phone"),
        block_on("last_name_std", "birth_date"),
        block_on("first_name_std", "birth_date"),
        block_on("first_name_std", "last_name_std", "postcode"),
        block_on("birth_date", "postcode"),
        block_on("street_number", "street_name", "postcode"),
        block_on("first_name_std", "last_name_std"),
        block_on("substr(first_name_std, 1, 2)", "substr(last_name_std, 1, 2)", "year(birth_date)"),
        block_on("substr(last_name_std, 1, 3)", "postcode", "year(birth_date)"),
        block_on("street_number", "street_name"),
        block_on("last_name_std", "postcode"),
        block_on("last_name_std", "city"),
        block_on("first_name_std", "postcode", "street_number"),
        block_on("birth_date", "city"),
        block_on("birth_date"),
        block_on("postcode", "street_number"),
        block_on("first_name_std", "postcode"),
        block_on("birth_name_std", "first_name_std"),
        CustomRule(
            "l.first_name_std = r.last_name_std AND l.last_name_std = r.first_name_std",
        ),
        CustomRule("l.birth_name_std = r.last_name_std AND l.first_name_std = r.first_name_std"),
        CustomRule("l.last_name_std = r.birth_name_std AND l.first_name_std = r.first_name_std"),
        block_on("substr(first_name_std, 1, 3)", "substr(last_name_std, 1, 3)"),
        block_on("street_name", "city"),
        block_on("first_name_std", "city"),
        block_on("substr(last_name_std, 1, 3)", "street_number"),
        CustomRule("l.first_name_std = r.last_name_std AND l.postcode = r.postcode"),
        CustomRule("l.last_name_std = r.first_name_std AND l.postcode = r.postcode"),
    ]


def count_pairs(records: SplinkDataFrame, rule: BlockingRuleCreator, n_records: int) -> int:
    """Pairs a rule generates on its own: exact on small data, sampled estimate on large.

    A rare rule's sampled estimate comes with a UserWarning ("below the recommended minimum")
    that would print into every `cdp run`; a rough count is all the budget needs, so it is
    logged at DEBUG.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        [count] = count_comparisons_from_blocking_rules(
            records,
            blocking_rules=rule,
            link_type="dedupe_only",
            unique_id_column_name=UNIQUE_ID,
            record_sample_proportion=min(1.0, _EXACT_COUNT_MAX_RECORDS / max(n_records, 1)),
        )
    for warning in caught:
        level = logging.DEBUG if issubclass(warning.category, UserWarning) else logging.WARNING
        log.log(level, "blocking count: %s", warning.message)
    return int(count["marginal_comparison_count"])


def select_blocking_rules(
    records: SplinkDataFrame, n_records: int, cfg: IdentityConfig
) -> tuple[list[BlockingRuleCreator], list[dict[str, Any]]]:
    """Keep candidate rules, in priority order, while their comparisons fit the budget.

    The budget is `max_pairs_per_record` comparisons per record for all kept rules together
    (each rule counted on its own, so overlaps make the bound conservative). Returns the kept
    rules and one summary row per candidate: counts and rule text only, safe for metadata.
    """
    n = max(n_records, 1)
    budget = cfg.max_pairs_per_record * n
    spent = 0
    kept: list[BlockingRuleCreator] = []
    summary: list[dict[str, Any]] = []
    for rule in candidate_blocking_rules():
        pairs = count_pairs(records, rule, n_records)
        text = rule.get_blocking_rule("duckdb").blocking_rule_sql
        ok = spent + pairs <= budget
        if ok:
            spent += pairs
            kept.append(rule)
        else:
            # INFO: expected on large data, and listed in the run metadata (blocking_rules)
            log.info("blocking rule dropped: %.1f comparisons per record over budget (%s)",
                     pairs / n, text)
        summary.append({"rule": text, "comparisons": pairs,
                        "comparisons_per_record": round(pairs / n, 2), "kept": ok})
    return kept, summary


def build_settings(blocking_rules: list[BlockingRuleCreator]) -> SettingsCreator:
    """The untrained model. Intermediate columns are kept for waterfall charts and cluster studio."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )


def training_rules() -> dict[str, list]:
    """Rules used to train the model without labels.

    `deterministic`: pairs almost surely the same person, to estimate the prior match rate.
    `em`: EM sessions. Splink trains, in each session, only the comparisons that do not read a
    blocked column (the household split reads name copies, see matching_input.sql). No
    session blocks on an address, email or phone: those pairs are mostly households, which EM
    would learn as the "match" class, and then it would reward different first names.
    The name session leaves the address free: EM tells a match from a namesake (JEAN MARTIN)
    with the birth date, the address and the contact points together. It used to block on
    postcode too, which took the address out of the session; on records without contact points
    (a till, FEBRL) EM then saw the birth date alone, concluded that a match is "same birth date"
    and learned that a different date never happens (FEBRL4: 5e-4 where 4.3% of true pairs
    differ), so one mistyped date vetoed an otherwise certain pair.
    A session whose rule finds too few pairs in this data is skipped by `train.py`.
    """
    return {
        "deterministic": [
            block_on("first_name_std", "last_name_std", "birth_date"),
            block_on("email", "birth_date"),
            block_on("phone", "first_name_std"),
        ],
        "em": [
            block_on("birth_date"),
            block_on("first_name_std", "last_name_std"),
        ],
    }


# Levels no EM session can observe: the birth date is trained by the name session, where both
# first names are equal, so "same birth date, other first name" never occurs there and Splink
# would score it with an arbitrary default m. `train.py` splits the "same birth date" m between
# the two levels by the share of matches whose first names are incompatible, which the address
# comparison measures on the same predicate (its "other first name" split, trained with first
# names free). (column, level EM trained, level it could not observe)
UNOBSERVED_SPLITS = (("birth_date", "Same birth date", "Same birth date, other first name"),)
FIRST_NAME_SHARE_FROM = ("address", "Same number and street", "Same number and street, other first name")


def model_level(model: dict[str, Any], column: str, condition: str | None = None,
                label: str | None = None) -> dict[str, Any]:
    """One level of a saved model's comparison `column`, by its SQL condition or chart label."""
    [comparison] = [c for c in model["comparisons"] if c["output_column_name"] == column]
    [level] = [lvl for lvl in comparison["comparison_levels"]
               if lvl["sql_condition"] == condition or (label and lvl.get("label_for_charts") == label)]
    return level


def prior_rule() -> tuple[BlockingRuleCreator, dict[str, str]]:
    """The deterministic rule `train.py` re-estimates the prior with, and for each of its columns
    the comparison level (by label) whose m value is the chance that a match agrees on it."""
    return block_on("first_name_std", "last_name_std", "birth_date"), {
        "first_name_std": "Exact match on first_name_std",
        "last_name_std": "Exact match on last_name_std",
        "birth_date": "Same birth date",
    }
