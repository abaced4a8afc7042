"""Hand-made and synthetic `staging.identity_records` for identity tests.

Why synthetic people rather than a handful of rows: the model is trained from the data
(no labels), so the tricky cases (households, twins, married names, typos) are embedded in
a few hundred generated customers, each with a known person id to measure against.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cdp_pipeline.config import Config, DuckDBSettings, IdentityConfig

COLUMNS: dict[str, str] = {
    "record_id": "VARCHAR", "source": "VARCHAR", "source_record_id": "VARCHAR", "trust": "INTEGER",
    "civility": "VARCHAR", "first_name": "VARCHAR", "last_name": "VARCHAR", "birth_name": "VARCHAR",
    "first_name_std": "VARCHAR", "last_name_std": "VARCHAR", "birth_name_std": "VARCHAR",
    "first_name_raw": "VARCHAR", "last_name_raw": "VARCHAR", "birth_name_raw": "VARCHAR",
    "first_name_flag": "VARCHAR", "last_name_flag": "VARCHAR", "birth_date": "DATE",
    "birth_date_raw": "VARCHAR", "birth_date_flag": "VARCHAR", "email": "VARCHAR",
    "email_raw": "VARCHAR", "email_flag": "VARCHAR", "phone": "VARCHAR", "phone_raw": "VARCHAR",
    "phone_flag": "VARCHAR", "phone_type": "VARCHAR", "address_l2": "VARCHAR",
    "address_l3": "VARCHAR", "address_l4": "VARCHAR", "address_l5": "VARCHAR",
    "address_l6": "VARCHAR", "street_number": "VARCHAR", "street_number_suffix": "VARCHAR",
    "street_name": "VARCHAR", "postcode": "VARCHAR", "city": "VARCHAR", "commune_code": "VARCHAR",
    "departement": "VARCHAR", "cedex": "BOOLEAN", "country": "VARCHAR", "address_raw": "VARCHAR",
    "address_status": "VARCHAR", "loyalty_id": "VARCHAR", "account_id": "VARCHAR",
    "created_at": "TIMESTAMP", "updated_at": "TIMESTAMP", "loaded_at": "TIMESTAMP",
}


def complete(row: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns a test does not care about the way staging would."""
    full = {c: row.get(c) for c in COLUMNS}
    full["record_id"] = f"{full['source']}:{full['source_record_id']}"
    for name in ("first_name", "last_name"):
        full[f"{name}_flag"] = row.get(f"{name}_flag") or ("ok" if full[f"{name}_std"] else "missing")
    full["email_flag"] = row.get("email_flag") or ("ok" if full["email"] else "missing")
    full["phone_flag"] = row.get("phone_flag") or ("ok" if full["phone"] else "missing")
    full["address_status"] = row.get("address_status") or ("validated" if full["street_name"] else "missing")
    full["birth_date_flag"] = "ok" if full["birth_date"] else "missing"
    return full


def write_records(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """(Re)create staging.identity_records with the warehouse schema."""
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    cols = ", ".join(f"{c} {t}" for c, t in COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE staging.identity_records ({cols})")
    if rows:
        data = pa.Table.from_pylist([complete(r) for r in rows])
        con.register("__rows", data)
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in COLUMNS.items())
        con.execute(f"INSERT INTO staging.identity_records SELECT {casts} FROM __rows")
        con.unregister("__rows")


def make_config(tmp: Path, **identity: Any) -> Config:
    return Config(
        path=tmp / "cdp.yaml", warehouse=tmp / "wh.duckdb", sources=(),
        publish_path=tmp / "bi.duckdb", exports_dir=tmp / "exports", models_dir=tmp / "models",
        artifacts_dir=tmp / "artifacts",
        identity=IdentityConfig(duckdb=DuckDBSettings(threads=1, memory_limit="1GB",
                                                      temp_directory=str(tmp / "duck_tmp")),
                                **identity),
    )


FIRST = ["JEAN", "MARIE", "PIERRE", "SOPHIE", "LUC", "CLAIRE", "PAUL", "JULIE", "ANTOINE", "LEA",
         "NICOLAS", "CAMILLE", "THOMAS", "MANON", "HUGO", "EMMA", "LOUIS", "CHLOE", "GABRIEL",
         "INES", "ARTHUR", "SARAH", "JULES", "ZOE", "ETIENNE", "MATHILDE", "VICTOR", "ALICE",
         "BAPTISTE", "LOUISE", "MAXIME", "ANNE", "OLIVIER", "NATHALIE", "FRANCOIS", "ISABELLE"]
LAST = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
        "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
        "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "MERCIER", "DUPONT", "LAMBERT", "BONNET",
        "FRANCOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU", "BLANC", "GUERIN",
        "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU", "CLEMENT", "GAUTHIER",
        "KERGOAT", "LE GALL", "ZYLBERMAN", "OUEDRAOGO", "NGUYEN", "HADDAD"]
STREETS = ["RUE DE LA PAIX", "AV DES CHAMPS ELYSEES", "BD VOLTAIRE", "RUE VICTOR HUGO",
           "RUE DU MOULIN", "PL DE LA REPUBLIQUE", "RUE JEAN JAURES", "CHE DES VIGNES",
           "RUE PASTEUR", "AV DE LA GARE", "RUE DES ECOLES", "IMP DES LILAS", "RUE NATIONALE"]
PLACES = [("75011", "PARIS", "75111", "75"), ("69003", "LYON", "69383", "69"),
          ("13005", "MARSEILLE", "13205", "13"), ("33000", "BORDEAUX", "33063", "33"),
          ("29200", "BREST", "29019", "29"), ("59000", "LILLE", "59350", "59"),
          ("35000", "RENNES", "35238", "35"), ("44000", "NANTES", "44109", "44"),
          ("67000", "STRASBOURG", "67482", "67"), ("31000", "TOULOUSE", "31555", "31")]


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("AEIOURSTLN") + word[i + 1:]


def synthetic_people(n_people: int, seed: int = 7) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Records of `n_people` persons (1-3 records each, across sources) and record -> person.

    Persons come in households (shared last name, address, landline, family email) so
    that the shared identifiers are real traps; a few households contain twins.
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    truth: dict[str, int] = {}
    person = 0
    while person < n_people:
        last = rng.choice(LAST)
        place = rng.choice(PLACES)
        street = (str(rng.randint(1, 150)), rng.choice(STREETS))
        landline = f"+331{rng.randint(10**7, 10**8 - 1)}"
        family_email = f"famille.{last.lower().replace(' ', '')}{rng.randint(1, 99)}@orange.fr"
        twins_born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 20000))
        size = rng.choice([1, 1, 2, 2, 3, 4])
        twins = size >= 3 and rng.random() < 0.05
        for k in range(size):
            person += 1
            first = rng.choice(FIRST)
            born = twins_born if (twins and k < 2) else date(1940, 1, 1) + timedelta(days=rng.randint(0, 25000))
            me = {
                "first_name_std": first, "last_name_std": last, "birth_date": born,
                "email": f"{first.lower()}.{last.lower().replace(' ', '')}{rng.randint(1, 999)}@gmail.com",
                "phone": f"+336{rng.randint(10**7, 10**8 - 1)}",
                "street_number": street[0], "street_name": street[1],
                "postcode": place[0], "city": place[1], "commune_code": place[2], "departement": place[3],
            }
            if k == 1 and rng.random() < 0.3:  # married: took the household name, kept a birth name
                me["birth_name_std"] = rng.choice(LAST)
            loyalty = f"L{person:07d}" if rng.random() < 0.3 else None
            for r in range(rng.choice([1, 1, 2, 2, 3])):
                rec = dict(me)
                rec["source"] = ["pos", "web", "crm"][r]
                rec["source_record_id"] = f"{person}-{r}"
                if r > 0:
                    _damage(rng, rec, me)
                if r == 0 or rng.random() < 0.5:
                    rec["loyalty_id"] = loyalty
                if rng.random() < 0.3:
                    rec["email"], rec["phone"] = family_email, landline
                rows.append(rec)
                truth[f"{rec['source']}:{rec['source_record_id']}"] = person
    return rows, truth


def _damage(rng: random.Random, rec: dict[str, Any], me: dict[str, Any]) -> None:
    """One or two realistic differences between two records of one person."""
    for _ in range(rng.choice([1, 2])):
        kind = rng.choice(["typo_last", "typo_first", "no_email", "no_phone", "moved", "dob", "no_address"])
        if kind == "typo_last":
            rec["last_name_std"] = _typo(rng, me["last_name_std"])
        elif kind == "typo_first":
            rec["first_name_std"] = _typo(rng, me["first_name_std"])
        elif kind == "no_email":
            rec["email"] = None
        elif kind == "no_phone":
            rec["phone"] = None
        elif kind == "moved":
            place = rng.choice(PLACES)
            rec.update(street_number=str(rng.randint(1, 150)), street_name=rng.choice(STREETS),
                       postcode=place[0], city=place[1], commune_code=place[2], departement=place[3])
        elif kind == "dob":
            rec["birth_date"] = me["birth_date"] + timedelta(days=rng.choice([1, -1, 10, -10]))
        else:
            for c in ("street_number", "street_name", "postcode", "city", "commune_code", "departement"):
                rec[c] = None
