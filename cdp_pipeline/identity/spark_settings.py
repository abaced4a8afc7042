"""The trained model as Splink settings in Spark SQL, rebuilt from `settings.py` at run time.

Why not load the model JSON on Spark: its level conditions and blocking rules are DuckDB SQL
(`jaro_winkler_similarity`, `strftime`, double-quoted names), which Spark cannot run. So the
comparison levels come from the same builders that trained the model (`settings.py`, read now,
never copied here), each condition is transpiled from DuckDB to Spark SQL with sqlglot, and only
the numbers are taken from the model: m and u per level, the prior, and the blocking rules it
froze. A model whose levels differ from the current builders is refused (`spec_of`): pairing
parameters with other conditions would score silently wrong. `link()` retrains such a model
before scoring, so this only fires on a model file edited by hand.

Why rename the similarity functions: on Spark they are Scala UDFs from the jar bundled in the
Splink wheel, registered under Splink's Spark names (`jaro_winkler`, not DuckDB's
`jaro_winkler_similarity`); the mapping is read from Splink's own dialect classes. Each call is
wrapped to return NULL when an argument is NULL, as DuckDB's functions do: the jar returns 0.0
(Jaro-Winkler) or 100 (Damerau-Levenshtein) instead, which today's `>=`/`<=` levels happen to
tolerate but a level such as `jaro_winkler_similarity(a, b) < 0.5` would not.

Pure Python (sqlglot, no pyspark): the translation is tested without Java.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlglot
from sqlglot import exp
from splink.internals.dialects import DuckDBDialect, SparkDialect

# Registers sqlglot's "customspark" dialect, the one SparkAPI renders every query with.
from splink.internals.spark.spark_helpers import custom_spark_dialect  # noqa: F401

from cdp_pipeline.identity.settings import build_settings
from cdp_pipeline.identity.train import spec_of

_SIMILARITY_FUNCTIONS = ("jaro_winkler_function_name", "jaro_function_name",
                         "damerau_levenshtein_function_name", "jaccard_function_name")
# DuckDB name -> name of the UDF SparkAPI registers from Splink's jar.
SPARK_UDFS: dict[str, str] = {
    getattr(DuckDBDialect(), f): getattr(SparkDialect(), f) for f in _SIMILARITY_FUNCTIONS
}


class ModelMismatch(ValueError):
    """The model was trained on other comparison levels than `settings.py` builds now."""


def _duckdb_function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func) and not isinstance(node, exp.Connector):
        # sqlglot parses some of these into typed nodes (JarowinklerSimilarity): name them as DuckDB does
        return node.sql(dialect="duckdb").split("(", 1)[0].strip().lower()
    return None


def _to_spark_udf(node: exp.Expression) -> exp.Expression:
    name = _duckdb_function_name(node)
    if name not in SPARK_UDFS:
        return node
    args = list(node.expressions) if isinstance(node, exp.Anonymous) else [node.this, node.expression]
    call = exp.Anonymous(this=SPARK_UDFS[name], expressions=[a.copy() for a in args])
    any_null = exp.or_(*(exp.Is(this=a.copy(), expression=exp.Null()) for a in args))
    return exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=call)


def to_spark_sql(condition: str) -> str:
    """A DuckDB level condition or blocking rule, as Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return "ELSE"
    tree = sqlglot.parse_one(condition, read="duckdb")
    return tree.transform(_to_spark_udf).sql(dialect="customspark")


def _rule_sql(rule: str | dict[str, Any]) -> str:
    return rule if isinstance(rule, str) else rule["blocking_rule"]


def spark_settings(model: dict[str, Any]) -> dict[str, Any]:
    """Splink settings for SparkAPI: today's levels in Spark SQL with the trained model's numbers.

    Only the pair columns the edges need are kept (no matching or intermediate columns):
    predictions travel back from the cluster, and they would carry personal data for nothing.
    """
    built = build_settings([]).get_settings("duckdb").as_dict()
    if spec_of(built) != spec_of(model):
        raise ModelMismatch("the identity model was trained on other comparison levels than "
                            "settings.py builds now; retrain it (cdp retrain) before scoring on Spark")
    settings = copy.deepcopy(built)
    for comparison, trained in zip(settings["comparisons"], model["comparisons"]):
        for level, trained_level in zip(comparison["comparison_levels"], trained["comparison_levels"]):
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
            for key in ("m_probability", "u_probability"):
                if key in trained_level:
                    level[key] = trained_level[key]
                else:
                    level.pop(key, None)
    settings.update(
        sql_dialect="spark",
        probability_two_random_records_match=model["probability_two_random_records_match"],
        blocking_rules_to_generate_predictions=[
            {"blocking_rule": to_spark_sql(_rule_sql(rule)), "sql_dialect": "spark"}
            for rule in model["blocking_rules_to_generate_predictions"]
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=[],
    )
    return settings
