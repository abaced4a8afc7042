"""The plain-French-number shortcut gives libphonenumber's answer on every French number form."""

from __future__ import annotations

import random

from cdp_pipeline.standardise import phones


def _forms(national: str, rng: random.Random) -> list[str]:
    pairs = " ".join(national[i:i + 2] for i in range(1, 9, 2))
    return [
        "0" + national,
        f"0{national[0]} {pairs}",
        f"0{national[0]}.{pairs.replace(' ', '.')}",
        f"0{national[0]}-{pairs.replace(' ', '-')}",
        "+33" + national,
        f"+33 {national[0]} {pairs}",
        "0033" + national,
        f"0033 {national[0]} {pairs}",
        "33" + national,                      # the plus lost
        national,                             # the leading zero lost
        "+330" + national,                    # trunk zero kept after the country code
        "00" + national,
        "0" + national + rng.choice(["1", "12"]),  # too long
        "0" + national[:-1],                  # too short
        f"0{national[0]} {pairs} poste 12",   # extension
    ]


def test_shortcut_equals_the_library_on_french_numbers(monkeypatch):
    rng = random.Random(7)
    nationals = [f"{lead}{rng.randrange(10 ** 8):08d}" for lead in "123456789" for _ in range(120)]
    # every three-digit prefix, where FR's patterns tell types apart (836, 26x, 59x, 7[3-9]...)
    nationals += [f"{p:03d}{rng.randrange(10 ** 6):06d}" for p in range(100, 1000)]
    values = [v for n in nationals for v in _forms(n, rng)]
    fast = [phones.standardise_phone(v, "FR") for v in values]
    assert sum(phones._parse_french(v) is not None for v in values) > len(values) / 3  # the shortcut is used
    monkeypatch.setattr(phones, "_parse_french", lambda value: None)
    library = [phones.standardise_phone(v, "FR") for v in values]
    mismatches = [(v, a, b) for v, a, b in zip(values, fast, library) if a != b]
    assert not mismatches, mismatches[:5]
    assert {kind for _, kind, _ in library} >= {"mobile", "landline", "voip", "other", None}
