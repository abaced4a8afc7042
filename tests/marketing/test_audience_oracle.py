"""Property: audiences never contain a contact the rules forbid, checked against a plain-Python oracle.

Why an oracle rather than hand-picked cases: consent interactions (events keyed by record vs by
contact point only, shared family contact points, equal timestamps, suppressions older or newer
than a grant, soft opt-in) combine in ways no list of examples covers. The oracle restates the
rules from the specification in the simplest possible form, independently of the SQL:

- the customer's latest event for (channel, purpose) is a grant (a withdrawal wins a tie);
  an event keyed only by a contact point belongs to every customer whose record holds it;
  with no event at all, email soft opt-in applies when enabled, for its purposes, to a
  customer with a paid purchase;
- the latest event on the contact point itself for (channel, purpose), whoever gave it, is not a
  withdrawal (one family member's withdrawal binds the shared address);
- no suppression of that contact point on that channel, at any date (suppression beats consent).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cdp_pipeline.marketing import audience_violations, build_audiences, build_consent, build_suppressions
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person

EMAILS = ["fam@x.fr", "solo@x.fr", "other@y.fr"]
PHONES = ["+33611111111", "+33622222222", "+33633333333"]
STREETS = ["1 RUE DE LA PAIX", "2 AV FOCH", "3 BD HAUSSMANN"]  # postcode 75001: contact point "<l4> 75001"
AUDIENCES = [("email_newsletter", "email", "newsletter"), ("email_offers", "email", "offers"),
             ("sms_offers", "sms", "offers"), ("post_offers", "post", "offers")]
SUPPRESSION_CHANNEL = {"unsubscribe": "email", "hard_bounce": "email", "complaint": "email", "stop_sms": "sms",
                       "npai": "post"}
FIELD = {"email": "email", "sms": "phone", "post": "address"}

customers = st.lists(
    st.fixed_dictionaries({"email": st.sampled_from(EMAILS), "phone": st.sampled_from(PHONES),
                           "address": st.sampled_from(STREETS), "paid": st.booleans()}),
    min_size=1, max_size=4,
)
events = st.lists(
    st.fixed_dictionaries({
        "who": st.integers(0, 3) | st.none(),          # None: keyed by contact point only (ESP / SMS platform)
        "contact": st.integers(0, 2),
        "channel": st.sampled_from(["email", "sms", "post"]),
        "purpose": st.sampled_from(["newsletter", "offers"]),
        "status": st.sampled_from(["granted", "granted", "withdrawn"]),  # grants likelier: non-empty audiences
        "day": st.integers(1, 4),                      # few days: many ties
    }),
    min_size=2, max_size=12,
)
suppressions = st.lists(
    st.tuples(st.sampled_from(sorted(SUPPRESSION_CHANNEL)), st.integers(0, 2), st.integers(1, 4)), max_size=2,
)


def _point(channel: str, index: int) -> str:
    return {"email": EMAILS, "sms": PHONES, "post": [f"{s} 75001" for s in STREETS]}[channel][index]


def _own_point(p: dict, channel: str) -> str:
    return p["address"] + " 75001" if channel == "post" else p[FIELD[channel]]


def _event_rows(people: list[dict], evs: list[dict]) -> list[dict]:
    rows = []
    for i, e in enumerate(evs):
        who = e["who"] if e["who"] is not None and e["who"] < len(people) else None
        if who is None and e["channel"] == "post":
            continue  # a postal consent always comes with a customer record (no address-only platform)
        # A keyed event carries the person's own contact point; an unkeyed one a random one.
        point = _own_point(people[who], e["channel"]) if who is not None else _point(e["channel"], e["contact"])
        rows.append(dict(source="crm" if who is not None else "platform", event_id=f"e{i}",
                         event_ts=datetime(2024, 1, e["day"]), channel=e["channel"], purpose=e["purpose"],
                         status=e["status"], customer_record_key=f"crm:{who}" if who is not None else None,
                         email=point if e["channel"] == "email" else None,
                         phone=point if e["channel"] == "sms" else None, _point=point))
    return rows


def _latest_allows(evs: list[dict]) -> bool | None:
    """True/False for the latest event's status (withdrawal wins a tie); None when there is none."""
    if not evs:
        return None
    top = max(e["event_ts"] for e in evs)
    return all(e["status"] == "granted" for e in evs if e["event_ts"] == top)


def oracle(people: list[dict], ev_rows: list[dict], sup: list[tuple], soft: bool) -> set[tuple[str, str, str]]:
    suppressed = {(_point(SUPPRESSION_CHANNEL[r], i), SUPPRESSION_CHANNEL[r]) for r, i, _ in sup}
    out = set()
    for name, channel, purpose in AUDIENCES:
        for c, p in enumerate(people):
            point = _own_point(p, channel)
            relevant = [e for e in ev_rows if e["channel"] == channel and e["purpose"] == purpose]
            mine = [e for e in relevant if e["customer_record_key"] == f"crm:{c}"
                    or (e["customer_record_key"] is None and e["_point"] == point)]
            on_point = [e for e in relevant if e["_point"] == point]
            own = _latest_allows(mine)
            if own is None and soft and channel == "email" and purpose == "offers" and p["paid"]:
                own = True  # soft opt-in: existing customer, no choice expressed
            if own is True and _latest_allows(on_point) is not False and (point, channel) not in suppressed:
                out.add((name, f"C{c}", point))
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=customers, evs=events, sup=suppressions, soft=st.booleans())
def test_audiences_match_oracle(people, evs, sup, soft):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cfg = make_cfg(folder, audiences=[dict(name=n, channel=c, purpose=p) for n, c, p in AUDIENCES],
                       consent={"soft_opt_in": {"enabled": soft, "purposes": ["offers"]}})
        rows = merge(*(person(f"C{c}", f"crm:{c}", email=p["email"], mobile=p["phone"], l4=p["address"])
                       for c, p in enumerate(people)))
        ev_rows = _event_rows(people, evs)
        rows["staging_consent_events"] = [{k: v for k, v in e.items() if k != "_point"} for e in ev_rows]
        rows["staging_orders"] = [dict(record_id=f"shop:o{c}", source="shop", order_id=f"o{c}",
                                       customer_record_key=f"crm:{c}", order_ts=datetime(2023, 6, 1), amount=10,
                                       status="paid" if p["paid"] else "cancelled") for c, p in enumerate(people)]
        rows["staging_suppressions"] = [
            dict(source="ops", contact_point=_point(SUPPRESSION_CHANNEL[r], i),
                 contact_point_raw=_point(SUPPRESSION_CHANNEL[r], i), channel=SUPPRESSION_CHANNEL[r],
                 reason=r, event_ts=datetime(2024, 1, day))
            for r, i, day in sup
        ]
        con = make_warehouse(folder / "wh.duckdb", **rows)
        try:
            build_consent(con, cfg)
            build_suppressions(con, cfg)
            build_audiences(con, cfg, "run-1", date(2024, 2, 1))
            got = set(con.execute("SELECT audience, customer_id, contact_point FROM marts.audience_members").fetchall())
            expected = oracle(people, ev_rows, sup, soft)
            event(f"members: {min(len(expected), 3)}")
            assert got == expected
            assert audience_violations(con) == 0
        finally:
            con.close()
