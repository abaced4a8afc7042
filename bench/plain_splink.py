"""The yardstick for bench/nightly.py: a plain, textbook Splink 5 dedupe of the same records.

Why: "is the identity step slow?" only has an answer against what Splink itself costs on the
same data and machine. This is what a careful engineer would write from the Splink docs in an
afternoon: library comparisons, a handful of blocking rules, u by random sampling, two EM
sessions, predict, cluster. It reads `staging.identity_records` from the pipeline's warehouse
and runs in a private in-memory DuckDB with the same threads / memory / temp settings as the
identity step (`identity.duckdb` in cdp.yaml), so the ratio compares code, not configuration.
No household guards, no data-dependent blocking, no stable ids: those are the pipeline's extras.

    .venv/bin/python -m bench.plain_splink path/to/cdp.yaml
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from cdp_pipeline.config import Config, load_config

COLUMNS = """record_id, first_name_std, last_name_std, birth_date, email, phone,
             street_number, street_name, postcode, city"""


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("first_name_std").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name_std").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("street_name", [2]),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name_std", "last_name_std"),
            block_on("last_name_std", "birth_date"),
            block_on("first_name_std", "birth_date"),
            block_on("email"),
            block_on("phone"),
            block_on("street_number", "street_name", "postcode"),
        ],
    )


def run_plain(cfg: Config, threshold: float = 0.95) -> float:
    """Train, predict and cluster; print the comparisons scored; return wall seconds."""
    duck = cfg.identity.duckdb
    Path(duck.temp_directory).mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with duckdb.connect(str(cfg.warehouse), read_only=True) as warehouse:
        records = warehouse.execute(f"SELECT {COLUMNS} FROM staging.identity_records").to_arrow_table()
    mem = duckdb.connect(":memory:", config={
        "threads": str(duck.threads), "memory_limit": duck.memory_limit, "temp_directory": str(duck.temp_directory),
    })
    try:
        mem.register("__records", records)
        mem.execute("CREATE TABLE records AS SELECT * FROM __records")
        db_api = DuckDBAPI(connection=mem)
        linker = Linker(db_api.register("records", table_name="records"), settings(), log_level=logging.ERROR)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("first_name_std", "last_name_std", "birth_date")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=cfg.identity.u_max_pairs, seed=cfg.identity.seed)
        for rule in (block_on("birth_date"), block_on("first_name_std", "last_name_std")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=cfg.identity.em_max_pairs
            )
        predictions = linker.inference.predict(threshold_match_probability=cfg.identity.link_floor)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        seconds = time.monotonic() - t0  # counting below is reporting, not dedupe work
        n_records = records.num_rows
        n_comparisons = _comparisons(linker, mem)
        n_clusters = mem.execute(f"SELECT count(DISTINCT cluster_id) FROM {clusters.physical_name}").fetchone()[0]
    finally:
        mem.close()
    print(f"plain Splink: {n_records:,} records, {n_comparisons:,} comparisons "
          f"({n_comparisons / max(n_records, 1):.1f} per record), {n_clusters:,} clusters, {seconds:.1f}s")
    return seconds


def _comparisons(linker: Linker, mem: duckdb.DuckDBPyConnection) -> int:
    """Pairs the prediction blocking generates."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    return int(mem.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchone()[0])


if __name__ == "__main__":
    run_plain(load_config(sys.argv[1]))
