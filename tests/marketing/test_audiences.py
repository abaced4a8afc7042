"""Consent, suppressions and audiences on hand-made warehouses."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from cdp_pipeline.config import ConfigError
from cdp_pipeline.marketing import audience_violations, build_audiences, build_consent, build_suppressions, write_exports
from tests.marketing.helpers import make_cfg, make_warehouse, merge, person

RUN = date(2025, 6, 1)


def ev(eid, ts, channel, purpose, status, key=None, email=None, phone=None, source="web"):
    return dict(source=source, event_id=eid, event_ts=ts, channel=channel, purpose=purpose, status=status,
                customer_record_key=key, email=email, phone=phone, proof="p")


def sup(cp, channel, reason, ts="2025-01-01"):
    return dict(source="crm", contact_point=cp, contact_point_raw=cp, channel=channel, reason=reason, event_ts=ts)


def run(tmp_path, rows, audiences, **consent):
    cfg = make_cfg(tmp_path, audiences=audiences, **({"consent": consent} if consent else {}))
    con = make_warehouse(cfg.warehouse, **rows)
    build_consent(con, cfg)
    build_suppressions(con, cfg)
    build_audiences(con, cfg, "r1", RUN)
    members = {(a, c, ch) for a, c, ch in con.execute(
        "SELECT audience, customer_id, channel FROM marts.audience_members").fetchall()}
    assert audience_violations(con) == 0
    write_exports(con, cfg)
    return con, cfg, members


EMAIL_NL = [{"name": "nl", "channel": "email", "purpose": "newsletter"}]


def test_crm_unsubscribe_overrides_web_opt_in_for_same_email(tmp_path):
    rows = merge(person("C1", "web:1", "a@x.fr"), person("C2", "web:2", "b@x.fr"), {"staging_consent_events": [
        ev("w1", "2025-01-01", "email", "newsletter", "granted", key="web:1", email="a@x.fr"),
        ev("w2", "2025-01-01", "email", "newsletter", "granted", key="web:2", email="b@x.fr"),
        ev("c1", "2025-02-01", "email", "newsletter", "withdrawn", email="a@x.fr", source="crm"),
    ]})
    con, _, members = run(tmp_path, rows, EMAIL_NL)
    assert members == {("nl", "C2", "email")}
    assert con.execute("SELECT resolved_via FROM marts.consent_ledger WHERE event_id = 'c1'").fetchone()[0] == "contact_point"


def test_shared_family_email_withdrawn_by_one_member_excludes_both(tmp_path):
    rows = merge(person("C1", "web:1", "fam@x.fr"), person("C2", "pos:2", "fam@x.fr"), {"staging_consent_events": [
        ev("w1", "2025-01-01", "email", "newsletter", "granted", key="web:1"),
        ev("w2", "2025-01-02", "email", "newsletter", "granted", key="pos:2"),
        ev("w3", "2025-03-01", "email", "newsletter", "withdrawn", key="web:1"),  # C1's own web account
    ]})
    _, _, members = run(tmp_path, rows, EMAIL_NL)
    assert members == set()


def test_unknown_is_not_granted_and_other_purpose_does_not_count(tmp_path):
    rows = merge(person("C1", "web:1", "a@x.fr"), person("C2", "web:2", "b@x.fr"), {"staging_consent_events": [
        ev("w1", "2025-01-01", "email", "offers", "granted", key="web:2"),
    ]})
    con, _, members = run(tmp_path, rows, EMAIL_NL)
    assert members == set()


def test_stop_sms_excludes_from_sms_only_and_suppression_beats_later_consent(tmp_path):
    rows = merge(person("C1", "web:1", "a@x.fr", "+33611111111"), person("C2", "web:2", "b@x.fr", "+33622222222"), {
        "staging_consent_events": [ev(f"e{c}{ch}", "2025-05-01", ch, "offers", "granted", key=f"web:{c}")
                                   for c in (1, 2) for ch in ("sms", "email")],
        "staging_suppressions": [sup("+33611111111", "", "STOP"),            # before the consent: still wins
                                 sup("b@x.fr", "email", "hard bounce", "2024-01-01")],
    })
    _, _, members = run(tmp_path, rows, [{"name": "sms_offers", "channel": "sms", "purpose": "offers"},
                                         {"name": "mail_offers", "channel": "email", "purpose": "offers"}])
    assert members == {("sms_offers", "C2", "sms"), ("mail_offers", "C1", "email")}


def test_npai_excludes_post_and_fallback_used_only_without_email(tmp_path):
    rows = merge(person("C1", "web:1", None, l4="1 RUE DE LA PAIX"), person("C2", "web:2", None, l4="2 RUE HAUTE"),
                 person("C3", "web:3", "c@x.fr", l4="3 RUE BASSE"), {
        "staging_consent_events": [ev(f"p{c}", "2025-01-01", ch, "newsletter", "granted", key=f"web:{c}")
                                   for c in (1, 2, 3) for ch in ("post", "email")],
        "staging_suppressions": [sup("2 rue  haute 75001", "courrier", "NPAI")],
    })
    _, _, members = run(tmp_path, rows, [{"name": "nl", "channel": "email", "purpose": "newsletter", "fallback": "post"}])
    assert members == {("nl", "C1", "post"), ("nl", "C3", "email")}


def test_soft_opt_in_off_by_default_and_on_when_configured(tmp_path):
    buyer = merge(person("C1", "web:1", "a@x.fr"), person("C2", "web:2", "b@x.fr"), {"staging_orders": [
        dict(record_id="web_orders:o1", source="web_orders", order_id="o1", customer_record_key="web:1",
             order_ts="2025-01-01", amount=10, status="paid"),
        dict(record_id="web_orders:o2", source="web_orders", order_id="o2", customer_record_key="web:2",
             order_ts="2025-01-01", amount=10, status="cancelled"),
    ]})
    offers = [{"name": "o", "channel": "email", "purpose": "offers"}]
    con, _, members = run(tmp_path / "off", buyer, offers)
    assert members == set()
    assert con.execute("SELECT count(*) FROM marts.consent_current WHERE status = 'soft_opt_in'").fetchone()[0] == 1
    _, _, members = run(tmp_path / "on", buyer, offers, soft_opt_in={"enabled": True, "purposes": ["offers"]})
    assert members == {("o", "C1", "email")}


@pytest.mark.parametrize("predicate", [
    "1=1; DROP TABLE marts.golden_customers",
    "customer_id IN (SELECT customer_id FROM raw.web)",
    "length(read_text('/etc/passwd')) > 0",
    "1=1) UNION SELECT * FROM staging.identity_records WHERE (1=1",
    "getenv('HOME') IS NOT NULL",
    "no_such_column = 1",
])
def test_audience_filter_rejects_malicious_or_unknown_predicates(tmp_path, predicate):
    cfg = make_cfg(tmp_path, audiences=[{"name": "x", "channel": "email", "purpose": "newsletter", "filter": predicate}])
    con = make_warehouse(cfg.warehouse, **person("C1", "web:1", "a@x.fr"))
    build_consent(con, cfg)
    build_suppressions(con, cfg)
    with pytest.raises(ConfigError, match="audiences 'x'.filter"):
        build_audiences(con, cfg, "r1", RUN)
    assert con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0] == 1


def test_filter_on_rfm_exports_match_members_and_pressure_cap(tmp_path):
    people = [person(f"C{i}", f"web:{i}", f"p{i}@x.fr") for i in range(1, 4)]
    rows = merge(*people, {
        "staging_consent_events": [ev(f"e{i}", "2025-01-01", "email", "newsletter", "granted", key=f"web:{i}")
                                   for i in range(1, 4)],
        "marts_customer_rfm": [dict(customer_id="C1", segment="Champions", r_score=5),
                               dict(customer_id="C2", segment="Loyal", r_score=4),
                               dict(customer_id="C3", segment="Lost", r_score=1)],
    })
    specs = [{"name": "champions", "channel": "email", "purpose": "newsletter",
              "filter": "segment IN ('Champions', 'Loyal') AND r_score >= 4"},
             {"name": "all_nl", "channel": "email", "purpose": "newsletter"}]
    con, cfg, members = run(tmp_path, rows, specs, max_per_30_days=1)
    assert members == {("champions", "C1", "email"), ("champions", "C2", "email"), ("all_nl", "C3", "email")}
    for name in ("champions", "all_nl"):
        with open(cfg.exports_dir / f"{name}.csv", encoding="utf-8") as f:
            exported = {(r["customer_id"], r["contact_point"], r["channel"]) for r in csv.DictReader(f)}
        assert exported == set(con.execute("SELECT customer_id, contact_point, channel FROM marts.audience_members "
                                           "WHERE audience = ?", [name]).fetchall())
    # a second run 10 days later: everyone already had one email this month
    build_audiences(con, cfg, "r2", date(2025, 6, 11))
    assert con.execute("SELECT count(*) FROM marts.audience_members").fetchone()[0] == 0
    build_audiences(con, cfg, "r2", date(2025, 6, 11))  # idempotent per run_id
    assert con.execute("SELECT count(DISTINCT run_id), count(*) FROM marts.audience_history").fetchone() == (1, 3)


def test_violation_check_catches_tampered_members(tmp_path):
    rows = merge(person("C1", "web:1", "a@x.fr"), {"staging_consent_events": [
        ev("w1", "2025-01-01", "email", "newsletter", "granted", key="web:1")]})
    con, _, _ = run(tmp_path, rows, EMAIL_NL)
    con.execute("INSERT INTO marts.audience_members VALUES ('nl', 'C1', 'email', 'other@x.fr', 'newsletter', 'r1', ?)", [RUN])
    assert audience_violations(con) == 1


def test_empty_inputs_give_empty_tables(tmp_path):
    import duckdb

    cfg = make_cfg(tmp_path, audiences=EMAIL_NL)
    con = duckdb.connect(str(cfg.warehouse))
    from cdp_pipeline.warehouse import ensure_schemas
    ensure_schemas(con)
    build_consent(con, cfg)
    build_suppressions(con, cfg)
    assert build_audiences(con, cfg, "r1", RUN)["members_nl"] == 0
    write_exports(con, cfg)
    cols = [r[0] for r in con.execute("DESCRIBE marts.audience_members").fetchall()]
    assert cols == ["audience", "customer_id", "channel", "contact_point", "purpose", "run_id", "run_date"]
    assert (cfg.exports_dir / "nl.csv").read_text(encoding="utf-8").strip() == "customer_id,contact_point,channel"


def test_settings_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"audiences 'a'.fallback"):
        run(tmp_path, {}, [{"name": "a", "channel": "email", "purpose": "newsletter", "fallback": "push"}])
    with pytest.raises(ConfigError, match=r"consent.soft_opt_in: unknown key"):
        run(tmp_path / "b", {}, EMAIL_NL, soft_opt_in={"enabeld": True})
