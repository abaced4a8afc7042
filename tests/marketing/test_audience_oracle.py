"""Property: audiences never contain a contact the rules forbid, checked against a plain-Python oracle.

Why an oracle rather than hand-picked cases: consent interactions (events keyed by record vs by
contact point only, shared family contact points, equal timestamps, suppressions older or newer
than a grant) combine in ways no list of examples covers. The oracle below restates the rules
from the specification in the simplest possible form, independently of the SQL:

- the customer's latest event for (channel, purpose) is a grant (a withdrawal wins a tie);
  an event keyed only by a contact point belongs to every customer whose record holds it;
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

from cdp_pipeline.marketing import build_audiences, build_consent, build_suppressions, audience_violations
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person

EMAILS = ["fam@x.fr", "solo@x.fr", "other@y.fr"]
PHONES = ["+33611111111", "+33622222222", "+33633333333"]
AUDIENCES = [("email_newsletter", "email", "newsletter"), ("email_offers", "email", "offers"),
             ("sms_offers", "sms", "offers")]
SUPPRESSION_CHANNEL = {"unsubscribe": "email", "hard_bounce": "email", "complaint": "email", "stop_sms": "sms"}

customers = st.lists(st.tuples(st.sampled_from(EMAILS), st.sampled_from(PHONES)), min_size=1, max_size=4)
events = st.lists(
    st.fixed_dictionaries({
        "who": st.integers(0, 3) | st.none(),          # None: keyed by contact point only (ESP / SMS platform)
        "contact": st.integers(0, 2),
        "channel": st.sampled_from(["email", "sms"]),
        "purpose": st.sampled_from(["newsletter", "offers"]),
        "status": st.sampled_from(["granted", "granted", "withdrawn"]),  # grants likelier: non-empty audiences
        "day": st.integers(1, 4),                      # few days: many ties
    }),
    min_size=2, max_size=12,
)
suppressions = st.lists(
    st.tuples(st.sampled_from(sorted(SUPPRESSION_CHANNEL)), st.integers(0, 2), st.integers(1, 4)), max_size=2,
)


def _contact(channel: str, index: int) -> str:
    return EMAILS[index] if channel == "email" else PHONES[index]


def _event_rows(people: list[tuple[str, str]], evs: list[dict]) -> list[dict]:
    rows = []
    for i, e in enumerate(evs):
        who = e["who"] if e["who"] is not None and e["who"] < len(people) else None
        # A keyed event carries the person's own contact point; an unkeyed one a random one.
        point = (people[who][0] if e["channel"] == "email" else people[who][1]) if who is not None \
            else _contact(e["channel"], e["contact"])
        rows.append(dict(source="crm" if who is not None else "platform", event_id=f"e{i}",
                         event_ts=datetime(2024, 1, e["day"]), channel=e["channel"], purpose=e["purpose"],
                         status=e["status"], customer_record_key=f"crm:{who}" if who is not None else None,
                         email=point if e["channel"] == "email" else None,
                         phone=point if e["channel"] == "sms" else None))
    return rows


def _latest_allows(evs: list[dict]) -> bool | None:
    """True/False for the latest event's status (withdrawal wins a tie); None when there is none."""
    if not evs:
        return None
    top = max(e["event_ts"] for e in evs)
    return all(e["status"] == "granted" for e in evs if e["event_ts"] == top)


def oracle(people: list[tuple[str, str]], ev_rows: list[dict], sup: list[tuple]) -> set[tuple[str, str, str]]:
    suppressed = {(_contact(SUPPRESSION_CHANNEL[r], i), SUPPRESSION_CHANNEL[r]) for r, i, _ in sup}
    out = set()
    for name, channel, purpose in AUDIENCES:
        for c, (email, phone) in enumerate(people):
            point = email if channel == "email" else phone
            field = "email" if channel == "email" else "phone"
            relevant = [e for e in ev_rows if e["channel"] == channel and e["purpose"] == purpose]
            mine = [e for e in relevant if e["customer_record_key"] == f"crm:{c}"
                    or (e["customer_record_key"] is None and e[field] == point)]
            on_point = [e for e in relevant if e[field] == point]
            if (_latest_allows(mine) is True and _latest_allows(on_point) is not False
                    and (point, channel) not in suppressed):
                out.add((name, f"C{c}", point))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=customers, evs=events, sup=suppressions)
def test_audiences_match_oracle(people, evs, sup):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cfg = make_cfg(folder, audiences=[dict(name=n, channel=c, purpose=p) for n, c, p in AUDIENCES])
        rows = merge(*(person(f"C{c}", f"crm:{c}", email=e, mobile=m) for c, (e, m) in enumerate(people)))
        ev_rows = _event_rows(people, evs)
        rows["staging_consent_events"] = ev_rows
        rows["staging_suppressions"] = [
            dict(source="ops", contact_point=_contact(SUPPRESSION_CHANNEL[r], i),
                 contact_point_raw=_contact(SUPPRESSION_CHANNEL[r], i), channel=SUPPRESSION_CHANNEL[r],
                 reason=r, event_ts=datetime(2024, 1, day))
            for r, i, day in sup
        ]
        con = make_warehouse(folder / "wh.duckdb", **rows)
        try:
            build_consent(con, cfg)
            build_suppressions(con, cfg)
            build_audiences(con, cfg, "run-1", date(2024, 2, 1))
            got = set(con.execute("SELECT audience, customer_id, contact_point FROM marts.audience_members").fetchall())
            expected = oracle(people, ev_rows, sup)
            event(f"members: {min(len(expected), 3)}")
            assert got == expected
            assert audience_violations(con) == 0
        finally:
            con.close()
