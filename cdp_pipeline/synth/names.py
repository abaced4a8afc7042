"""French first names and surnames, and the ways people and agents mangle them.

Why hand-curated weighted lists instead of a faker library: identity resolution is only
tested honestly when name *frequencies* look French (many Martin, Bernard, Dubois; a long
tail of rare names) because frequency drives how much a name match is worth. The lists
are invented weights in the right order of magnitude, not census data; no real person.
"""

from __future__ import annotations

import random
import unicodedata

# (name, weight). Compound names are listed as such: they get nicknames / truncation.
MALE_FIRST = [
    ("Jean", 40), ("Pierre", 30), ("Michel", 30), ("Philippe", 28), ("Alain", 25), ("Nicolas", 25),
    ("Christophe", 24), ("Patrick", 22), ("Daniel", 20), ("Bernard", 18), ("Frédéric", 18),
    ("Laurent", 20), ("Stéphane", 20), ("David", 20), ("Éric", 18), ("Thierry", 16), ("Pascal", 16),
    ("Julien", 22), ("Sébastien", 20), ("Olivier", 18), ("Thomas", 22), ("Alexandre", 18),
    ("Antoine", 16), ("Maxime", 16), ("Romain", 14), ("Guillaume", 14), ("Mathieu", 12),
    ("Matthieu", 6), ("Vincent", 14), ("François", 16), ("Jacques", 16), ("Gérard", 14),
    ("André", 14), ("René", 10), ("Claude", 10), ("Didier", 10), ("Hugo", 12), ("Lucas", 14),
    ("Louis", 12), ("Gabriel", 10), ("Léo", 10), ("Raphaël", 8), ("Arthur", 8), ("Jules", 8),
    ("Théo", 10), ("Nathan", 10), ("Enzo", 8), ("Mohamed", 10), ("Karim", 6), ("Yannick", 6),
    ("Loïc", 6), ("Gaël", 4), ("Killian", 4), ("Bruno", 10), ("Dominique", 8), ("Sylvain", 8),
    ("Jérôme", 12), ("Cédric", 8), ("Fabrice", 8), ("Franck", 8), ("Hervé", 8), ("Yves", 8),
    ("Marcel", 6), ("Roger", 6), ("Serge", 6), ("Gilles", 8), ("Xavier", 6), ("Benoît", 6),
    ("Arnaud", 6), ("Baptiste", 6), ("Quentin", 8), ("Kévin", 8), ("Florian", 6), ("Adrien", 6),
    ("Jean-Pierre", 14), ("Jean-Claude", 10), ("Jean-Michel", 8), ("Jean-Luc", 8),
    ("Jean-François", 8), ("Jean-Marc", 6), ("Jean-Louis", 6), ("Pierre-Yves", 3),
    ("Jean-Baptiste", 5), ("Jean-Paul", 4), ("Paul", 8), ("Henri", 5), ("Émile", 4), ("Noël", 3),
]
FEMALE_FIRST = [
    ("Marie", 35), ("Nathalie", 28), ("Isabelle", 26), ("Sylvie", 24), ("Catherine", 24),
    ("Françoise", 20), ("Christine", 20), ("Monique", 16), ("Valérie", 18), ("Sandrine", 18),
    ("Véronique", 16), ("Nicole", 14), ("Stéphanie", 16), ("Céline", 16), ("Sophie", 18),
    ("Julie", 18), ("Aurélie", 14), ("Camille", 16), ("Laura", 12), ("Émilie", 14), ("Léa", 14),
    ("Manon", 12), ("Chloé", 12), ("Emma", 12), ("Inès", 10), ("Sarah", 12), ("Pauline", 10),
    ("Anne", 16), ("Martine", 16), ("Jacqueline", 12), ("Brigitte", 12), ("Patricia", 12),
    ("Caroline", 12), ("Hélène", 12), ("Florence", 12), ("Laurence", 12), ("Virginie", 12),
    ("Audrey", 10), ("Mélanie", 10), ("Élodie", 10), ("Claire", 10), ("Agnès", 8), ("Danielle", 8),
    ("Chantal", 10), ("Josiane", 6), ("Odile", 5), ("Ginette", 4), ("Yvette", 4), ("Fatima", 8),
    ("Amandine", 8), ("Justine", 8), ("Margaux", 6), ("Jade", 8), ("Louise", 8), ("Alice", 8),
    ("Lucie", 8), ("Clémence", 6), ("Océane", 6), ("Nadia", 6), ("Karine", 8), ("Corinne", 8),
    ("Delphine", 8), ("Géraldine", 6), ("Muriel", 6), ("Béatrice", 6), ("Pascale", 6),
    ("Dominique", 6), ("Claude", 3), ("Maëlle", 4), ("Gwenaëlle", 3), ("Solène", 4),
    ("Marie-Christine", 8), ("Marie-Claude", 6), ("Anne-Sophie", 8), ("Marie-France", 5),
    ("Anne-Marie", 8), ("Marie-Hélène", 5), ("Marie-Thérèse", 4), ("Marie-Laure", 5),
    ("Marie-Pierre", 3), ("Anne-Laure", 4), ("Marie-Noëlle", 2), ("Marie-José", 3),
]

# Common surnames, heaviest first: weights ~ 1/rank (Zipf), the head of the French list.
_HEAD_SURNAMES = """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau
Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand
Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand
Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas
Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron
Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît
Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier
Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam
Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly
Hervé Schneider Fernandez Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le Roux
Cousin Germain Breton Besson Langlois Rémy Le Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun
Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin
Poulain Tessier Chevallier Collin Chauvin Da Silva Bouchet Gay Lemaître Bénard Maréchal Humbert
Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier
Laporte"""


def _split_surnames(block: str) -> list[str]:
    """Split the block on spaces but keep "Le Gall", "Da Silva" as one surname."""
    out: list[str] = []
    tokens = block.split()
    i = 0
    while i < len(tokens):
        if tokens[i] in ("Le", "Da") and i + 1 < len(tokens):
            out.append(tokens[i] + " " + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


HEAD_SURNAMES = _split_surnames(_HEAD_SURNAMES)

# Rarer shapes that break naive tokenising: particles, apostrophes, hyphens.
SPECIAL_SURNAMES = [
    "de La Fontaine", "N'Diaye", "D'Almeida", "Le Gall", "de Saint-Exupéry", "Du Pont", "Le Bihan",
    "Le Floch", "Le Corre", "Kerguelen", "L'Hôte", "D'Angelo", "Saint-Martin", "de Villiers",
    "Van der Berg", "El Amrani", "Ben Ali", "Diallo", "Traoré", "Nguyen", "Tran", "Dos Santos",
    "Pereira", "Ferreira", "Rodrigues", "Gonçalves", "Fabre-Martin", "Martin-Dubois", "Lefèvre-Duval",
    "de Montaigne", "Le Meur", "Le Guen", "Quéré", "Mbappé", "Haddad", "Benali", "Mazet",
]

# Long tail: plausible invented surnames from regional fragments (Breton, Occitan, northern).
_TAIL_HEADS = ["Ber", "Char", "Lam", "Ker", "Bou", "Ro", "Fa", "Gal", "Mor", "Che", "Pel", "Dar",
               "Gui", "Lan", "Mau", "Tour", "Vi", "Sa", "Cour", "Mar", "Jau", "Bel", "Cas", "Pon"]
_TAIL_TAILS = ["ret", "ot", "in", "ard", "ier", "eau", "aud", "ec", "oux", "al", "ant", "ez", "as",
               "iot", "elle", "on", "ac", "agne", "ignac", "eix", "ic", "ais", "enne", "ault"]
TAIL_SURNAMES = [
    h + t for h in _TAIL_HEADS for t in _TAIL_TAILS
    if not (h[-1] in "aeiou" and t[0] in "aeiou")  # no "Faagne", "Guiic"
]

NICKNAMES = {
    "Jean-Pierre": ["JP", "Jean", "J-Pierre"], "Jean-Claude": ["JC", "Jean"], "Jean-Michel": ["JM", "Jean"],
    "Jean-Luc": ["JL", "Jean"], "Jean-François": ["JF", "Jean"], "Jean-Marc": ["Jean"],
    "Jean-Louis": ["Jean"], "Jean-Baptiste": ["JB", "Jean"], "Jean-Paul": ["JP", "Jean"],
    "Pierre-Yves": ["PY", "Pierre"], "Marie-Christine": ["Marie", "MC"], "Anne-Sophie": ["Anne", "Sophie"],
    "Marie-Claude": ["Marie"], "Anne-Marie": ["Anne"], "Marie-Hélène": ["Marie"], "Marie-France": ["Marie"],
    "Marie-Thérèse": ["Marie"], "Marie-Laure": ["Marie"], "Anne-Laure": ["Anne"],
    "Alexandre": ["Alex"], "Christophe": ["Chris"], "Nicolas": ["Nico"], "Sébastien": ["Seb"],
    "Frédéric": ["Fred"], "Stéphane": ["Steph"], "Christine": ["Christ"], "Catherine": ["Cathy"],
    "Maxime": ["Max"], "Guillaume": ["Guigui"], "Dominique": ["Dom"], "Isabelle": ["Isa"],
    "Stéphanie": ["Steph"], "Véronique": ["Véro"], "Patricia": ["Patty"], "Caroline": ["Caro"],
}

# Phonetic spellings an agent types when hearing a name on the phone.
PHONETIC = [
    ("ph", "f"), ("th", "t"), ("ll", "l"), ("mm", "m"), ("nn", "n"), ("tt", "t"), ("ss", "s"),
    ("eau", "o"), ("au", "o"), ("ai", "è"), ("y", "i"), ("ch", "sh"), ("qu", "k"), ("c", "k"),
    ("ez", "é"), ("er", "é"), ("ault", "ot"), ("ier", "yer"), ("ois", "oi"), ("x", "s"),
]


def weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[float]]:
    """Split (value, weight) pairs and turn weights into cumulative ones for random.choices."""
    values = [v for v, _ in pairs]
    total = 0.0
    cum = []
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum


MALE_VALUES, MALE_CUM = weighted(MALE_FIRST)
FEMALE_VALUES, FEMALE_CUM = weighted(FEMALE_FIRST)
SURNAME_VALUES, SURNAME_CUM = weighted(
    [(n, 1000.0 / (rank + 8)) for rank, n in enumerate(HEAD_SURNAMES)]
    + [(n, 6.0) for n in SPECIAL_SURNAMES]
    + [(n, 2.0) for n in TAIL_SURNAMES]
)


def first_name(rng: random.Random, sex: str) -> str:
    if sex == "F":
        return rng.choices(FEMALE_VALUES, cum_weights=FEMALE_CUM)[0]
    return rng.choices(MALE_VALUES, cum_weights=MALE_CUM)[0]


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAME_VALUES, cum_weights=SURNAME_CUM)[0]


_STRIP = {}


def strip_accents(text: str) -> str:
    """Drop diacritics (é -> e, ç -> c); cached per distinct string because names repeat a lot."""
    out = _STRIP.get(text)
    if out is None:
        out = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        out = out.replace("œ", "oe").replace("Œ", "OE")
        _STRIP[text] = out
    return out


def upper_plain(text: str | None) -> str | None:
    """The till style: upper case, no accents."""
    return None if text is None else strip_accents(text).upper()


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: drop, double, swap two neighbours, or replace a letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return text
    i = rng.choice(letters[1:])
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    repl = rng.choice("aeinorstu")
    return text[:i] + (repl.upper() if text[i].isupper() else repl) + text[i + 1:]


def phonetic(rng: random.Random, text: str) -> str:
    """Spell a name the way it sounds (Philippe -> Filippe, Thibault -> Tibot)."""
    lower = text.lower()
    options = [(a, b) for a, b in PHONETIC if a in lower[1:]]
    if not options:
        return typo(rng, text)
    a, b = rng.choice(options)
    i = lower.index(a, 1)
    return text[:i] + b + text[i + len(a):]


def nickname(rng: random.Random, first: str) -> str:
    """What people write when they don't spell out their full first name (JP, Jean, Seb)."""
    options = NICKNAMES.get(first)
    return rng.choice(options) if options else first
