"""Postal addresses: real postcode/commune pairs, invented but French-looking streets.

Why the reference file: RNVP-style validation in the pipeline checks the postcode against
the commune, so synthetic addresses must use valid pairs (data/reference/codes_postaux.csv,
MIT) or every address would be "rejected" and the address comparison would be useless.
Street names are the usual municipal ones (République, Jean Jaurès...), so the same street
exists in thousands of communes, as in France.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference" / "codes_postaux.csv"

# Big cities get more residents than villages: one reference row per (postcode, commune)
# would otherwise put as many people in a hamlet as in a Paris arrondissement.
BIG_CITIES = (
    "Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux",
    "Lille", "Rennes", "Reims", "Toulon", "Saint-Étienne", "Le Havre", "Grenoble", "Dijon", "Angers",
    "Nîmes", "Villeurbanne", "Clermont-Ferrand", "Le Mans", "Aix-en-Provence", "Brest", "Tours", "Amiens",
    "Limoges", "Annecy", "Perpignan", "Boulogne-Billancourt", "Metz", "Besançon", "Orléans", "Rouen",
    "Mulhouse", "Caen", "Nancy", "Argenteuil", "Montreuil", "Saint-Denis", "Roubaix", "Tourcoing",
)

STREET_TYPES = [("rue", 55), ("avenue", 12), ("boulevard", 6), ("place", 4), ("impasse", 6),
                ("allée", 5), ("chemin", 6), ("route", 4), ("quai", 1), ("cours", 1)]
STREET_NAMES = [
    "de la République", "Jean Jaurès", "Victor Hugo", "du Général de Gaulle", "Pasteur", "de la Gare",
    "des Écoles", "de l'Église", "du Moulin", "des Lilas", "Gambetta", "Jules Ferry", "Nationale",
    "de la Mairie", "du Stade", "des Tilleuls", "Saint-Martin", "Émile Zola", "Voltaire", "de Verdun",
    "du 8 Mai 1945", "de la Paix", "Carnot", "du Maréchal Foch", "de la Libération", "des Acacias",
    "du Château", "des Peupliers", "Anatole France", "Jean Moulin", "de Paris", "de la Fontaine",
    "des Roses", "du Commerce", "de Bretagne", "Pierre et Marie Curie", "du Port", "des Vignes",
    "de la Forêt", "Georges Clemenceau", "Louis Pasteur", "du Lavoir", "des Prés", "de Strasbourg",
    "Aristide Briand", "Paul Bert", "Alsace-Lorraine", "des Cerisiers", "Léon Blum", "du Four",
]
LIEUX_DITS = ["Les Granges", "Le Bourg", "La Croix Blanche", "Les Métairies", "Le Moulin Neuf",
              "La Rivière", "Les Hauts", "Le Pré Long", "La Grange aux Bois", "Les Essarts"]
RESIDENCES = ["les Pins", "les Tilleuls", "du Parc", "Les Jardins de Flore", "le Clos Fleuri",
              "les Terrasses", "Beau Site", "les Hirondelles"]
BUSINESS_PARKS = ["ZI des Paluds", "ZA du Moulin", "Parc d'activités de la Gare", "ZAC des Portes",
                  "Zone Industrielle Nord", "Technopôle"]
# Stores of the demo retailer: their addresses show up as click & collect "home" addresses.
STORE_CITIES = ["Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Toulouse", "Rennes",
                "Strasbourg", "Nice", "Montpellier", "Grenoble"]


@dataclass(frozen=True, slots=True)
class Commune:
    postcode: str
    name: str  # "Paris", "Saint-Denis-lès-Bourg" (as a person would write it)
    acheminement: str  # "PARIS", "SAINT-DENIS-LES-BOURG" (La Poste line 6)
    departement: str


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None  # "12 bis rue de la République", "Lieu-dit Les Granges"
    line2: str | None  # "Résidence les Pins Bât B Appt 12", "BP 45"
    commune: Commune
    cedex: bool = False

    @property
    def city(self) -> str:
        return self.commune.acheminement + " CEDEX" if self.cedex else self.commune.name

    def postal_line(self) -> str:
        """The address as La Poste prints it on an NPAI return: line + postcode + city, upper."""
        from cdp_pipeline.synth.names import upper_plain

        city = self.commune.acheminement + (" CEDEX" if self.cedex else "")
        return upper_plain(f"{self.line1 or ''} {self.commune.postcode} {city}".strip())


def _departement(postcode: str) -> str:
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def _display_name(name: str) -> str:
    # "Marseille 1er Arrondissement" -> "Marseille": nobody writes the arrondissement.
    return name.split(" ")[0] if "Arrondissement" in name else name


@lru_cache(maxsize=1)
def communes() -> tuple[list[Commune], list[float]]:
    """All (postcode, commune) pairs and cumulative weights, read once per process."""
    out: list[Commune] = []
    cum: list[float] = []
    total = 0.0
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name = _display_name(row["commune_name"])
            out.append(Commune(row["postcode"], name, row["libelle_acheminement"], _departement(row["postcode"])))
            total += 40.0 if name in BIG_CITIES else 1.0
            cum.append(total)
    return out, cum


def random_commune(rng: random.Random) -> Commune:
    values, cum = communes()
    return rng.choices(values, cum_weights=cum)[0]


_TYPES = [t for t, _ in STREET_TYPES]
_TYPE_CUM = [sum(w for _, w in STREET_TYPES[: i + 1]) for i in range(len(STREET_TYPES))]


def street_line(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.04:
        return "Lieu-dit " + rng.choice(LIEUX_DITS)
    number = str(rng.randint(1, 180) if rng.random() < 0.85 else rng.randint(181, 420))
    if r < 0.09:
        number += rng.choice([" bis", " ter", "B", " A"])
    kind = rng.choices(_TYPES, cum_weights=_TYPE_CUM)[0]
    return f"{number} {kind} {rng.choice(STREET_NAMES)}"


def complement(rng: random.Random) -> str | None:
    """Address line 2 (AFNOR line 3): residence, building, flat; most houses have none."""
    r = rng.random()
    if r < 0.10:
        return f"Résidence {rng.choice(RESIDENCES)} Bât {rng.choice('ABCDE')} Appt {rng.randint(1, 60)}"
    if r < 0.16:
        return f"Appartement {rng.randint(1, 120)}"
    if r < 0.19:
        return f"Bâtiment {rng.choice('ABCD')} Escalier {rng.randint(1, 4)}"
    return None


def random_address(rng: random.Random, commune: Commune | None = None) -> Address:
    return Address(street_line(rng), complement(rng), commune or random_commune(rng))


def business_address(rng: random.Random) -> Address:
    """A workplace address with a CEDEX (customers who have parcels sent to the office)."""
    return Address(rng.choice(BUSINESS_PARKS), f"BP {rng.randint(10, 999)}", random_commune(rng), cedex=True)


def move_within(rng: random.Random, address: Address) -> Address:
    """A new home: most moves stay in the same area (same commune), some go anywhere."""
    commune = address.commune if rng.random() < 0.4 else random_commune(rng)
    return random_address(rng, commune)


@lru_cache(maxsize=1)
def stores() -> list[tuple[str, Address]]:
    """The retailer's shops (name as printed on tickets, address); fixed whatever the seed."""
    rng = random.Random("maison-lumiere-stores")
    values, _ = communes()
    out = []
    for city in STORE_CITIES:
        commune = next(c for c in values if c.name == city)
        name = "ML " + city.upper().replace("-", " ")
        out.append((name, Address(f"{rng.randint(1, 90)} {rng.choice(['rue', 'avenue', 'place'])} "
                                  f"{rng.choice(STREET_NAMES)}", "Centre commercial", commune)))
    return out
