"""Time and peak memory of `standardise_customers` on a synthetic extract.

Why synthetic and repetitive: real extracts repeat first names, streets and communes a lot,
which is what the distinct-value design exploits; the pools below mimic that (and include the
messy cases: civilities, accents, typo'd domains, placeholder phones, CEDEX, bad dates).

    .venv/bin/python bench/standardise_bench.py --rows 200000          # standardise_customers alone
    .venv/bin/python bench/standardise_bench.py --persons 1000000      # generate, ingest and standardise

`--persons` is the issue's figure: `cdp generate` writes the demo extracts for N people (streamed),
then the real nightly job runs its ingest and staging assets on them (every channel file read,
quarantined, accounted for; every customers source standardised; the identity_records union),
and the script prints each phase's wall time and the process's peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import polars as pl

from cdp_pipeline.standardise.customers import standardise_customers
from cdp_pipeline.standardise.reference import postcode_reference

FIRST = ["Jean-Pierre", "HELENE", "hélène", "M. Marc", "Mme Anne-Sophie", "Chloé", "N'Golo", "XXX", "J", "Œdipe"]
LAST = ["DUPONT", "Le Gall", "DE LA FONTAINE", "N’Diaye", "Martin née Durand", "MÜLLER", "TEST", "Lefèvre"]
STREETS = ["rue de la Paix", "avenue Jean Jaurès", "boulevard du Maréchal de Lattre de Tassigny", "place du Marché",
           "chemin des Vignes", "impasse des Lilas", "allée Saint-Exupéry", "route de Lyon", "Grande Rue"]
LINE2 = [None, None, None, "Résidence les Pins Bât B", "Appt 12", "Lieu-dit La Croix", "BP 123"]
DOMAINS = ["gmail.com", "orange.fr", "wanado.fr", "hotmail.fr", "gmial.com", "free.fr", "test.com"]


def synthetic(rows: int, seed: int = 42) -> pl.DataFrame:
    rng = random.Random(seed)
    communes = [c for cs in postcode_reference().by_postcode.values() for c in cs]
    persons = max(rows // 4, 1)  # about four records per distinct person-ish value
    out = {k: [] for k in ("source_record_id", "civility", "first_name", "last_name", "birth_date", "email", "phone",
                           "address_line1", "address_line2", "postcode", "city", "country", "loyalty_id",
                           "created_at", "updated_at")}
    for i in range(rows):
        p = rng.randrange(persons)
        c = communes[p % len(communes)]
        out["source_record_id"].append(f"C{i:08d}")
        out["civility"].append(rng.choice(["M", "Mme", "MONSIEUR", None]))
        out["first_name"].append(rng.choice(FIRST))
        out["last_name"].append(rng.choice(LAST))
        out["birth_date"].append(rng.choice([f"{1 + p % 28:02d}/{1 + p % 12:02d}/{1940 + p % 60}", "31/02/1980", None]))
        out["email"].append(f"user{p}@{DOMAINS[p % len(DOMAINS)]}".upper() if p % 3 else f"user{p}@{DOMAINS[p % 7]}")
        out["phone"].append(rng.choice([f"06 {p % 100:02d} {p // 100 % 100:02d} 34 56", f"+336{p:08d}"[:12],
                                        "0000000000", None]))
        out["address_line1"].append(f"{1 + p % 150}{rng.choice(['', ' bis', 'B'])} {STREETS[p % len(STREETS)]}")
        out["address_line2"].append(LINE2[p % len(LINE2)])
        out["postcode"].append(c.postcode)
        out["city"].append(rng.choice([c.name, c.libelle, c.name.upper() + " CEDEX"]))
        out["country"].append(rng.choice([None, "FR", "France", "Belgique"]))
        out["loyalty_id"].append(f" lf{p:07d}" if p % 2 else None)
        out["created_at"].append("03/04/2021 10:11:12")
        out["updated_at"].append("2024-03-04T05:06:07Z")
    return pl.DataFrame(out)


def generate_and_standardise(persons: int) -> None:
    import shutil
    from pathlib import Path

    from cdp_pipeline.config import load_config
    from cdp_pipeline.runner import run_pipeline
    from cdp_pipeline.synth import generate

    out = Path(__file__).resolve().parent / "out" / f"standardise_{persons}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    generate(out, persons=persons, seed=7)
    generated = time.perf_counter() - start
    cfg = load_config(out / "cdp.yaml")
    start = time.perf_counter()
    outcome = run_pipeline(cfg, selection='group:ingest or group:staging or key:"gdpr/erasure_tombstones"')
    staged = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"persons={persons:,} generate_s={generated:.1f} ingest_and_standardise_s={staged:.1f} "
          f"ok={outcome.success} peak_rss_mib={peak_mib:.0f}")
    for line in outcome.summary_lines():
        print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--persons", type=int, help="generate the demo for N persons, then ingest + standardise it")
    args = parser.parse_args()
    if args.persons:
        generate_and_standardise(args.persons)
        return
    df = synthetic(args.rows)
    postcode_reference()  # loaded once per process: not part of the per-extract cost
    start = time.perf_counter()
    out = standardise_customers(df, date_format="%d/%m/%Y", timestamp_format=None, default_country="FR")
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows={out.height} seconds={elapsed:.2f} rows_per_s={out.height / elapsed:,.0f} peak_rss_mib={peak_mib:.0f}")


if __name__ == "__main__":
    main()
