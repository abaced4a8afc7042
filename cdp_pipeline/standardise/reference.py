"""The offline French postcode reference (La Poste / BAN `codes-postaux`, MIT, in data/reference).

Loaded once per process; lookups by postcode and by folded commune name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cdp_pipeline.standardise.text import fold

REFERENCE_CSV = Path(__file__).resolve().parents[2] / "data" / "reference" / "codes_postaux.csv"


@dataclass(frozen=True)
class Commune:
    postcode: str
    commune_code: str
    name: str
    libelle: str  # libellé d'acheminement: what line 6 must say
    keys: frozenset[str]  # folded name and libellé, folded once here rather than per address

    @property
    def departement(self) -> str:
        code = self.commune_code
        return code[:3] if code.startswith("97") or code.startswith("98") else code[:2]


@dataclass(frozen=True)
class PostcodeReference:
    by_postcode: dict[str, tuple[Commune, ...]]
    by_name: dict[str, tuple[Commune, ...]]  # folded commune name or libellé -> communes
    departement_prefixes: frozenset[str]  # first two digits of every real postcode (CEDEX check)


@lru_cache(maxsize=1)
def postcode_reference(path: str = str(REFERENCE_CSV)) -> PostcodeReference:
    by_postcode: dict[str, list[Commune]] = {}
    by_name: dict[str, list[Commune]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, libelle = row["commune_name"], row["libelle_acheminement"]
            keys = frozenset(k for k in (fold(name), fold(libelle)) if k)
            c = Commune(row["postcode"], row["commune_code"], name, libelle, keys)
            by_postcode.setdefault(c.postcode, []).append(c)
            for key in keys:
                by_name.setdefault(key, []).append(c)
    return PostcodeReference(
        {k: tuple(v) for k, v in by_postcode.items()}, {k: tuple(v) for k, v in by_name.items()},
        frozenset(pc[:2] for pc in by_postcode),
    )
