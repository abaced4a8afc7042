"""Everything that happens to customers: orders, call-centre contacts, consents, suppressions,
postal returns and erasure requests.

Why orders are vectorised (numpy/polars) and the rest is a loop: orders are ~4 per record,
millions of rows at 1M persons, while consent and suppression events are about one per
record and carry per-person logic (the withdrawal must follow the grant, the bounce must
hit the typo'd email).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from cdp_pipeline.synth import addresses as addr
from cdp_pipeline.synth.channels import PLACEHOLDER_EMAILS, format_phone, scramble
from cdp_pipeline.synth.people import Person

ORDER_HISTORY_DAYS = 3 * 365
# Orders per record (mean), basket size (lognormal mu, sigma), status shares.
ORDER_PROFILE = {"pos": (4.0, 3.6, 0.7), "web": (2.5, 4.1, 0.6), "app": (2.0, 3.9, 0.6)}
STATUS_SHARES = {"paid": 0.86, "returned": 0.09, "cancelled": 0.05}
EVENT_SHARES = {
    "email_optin": 0.5,  # record with an email -> newsletter granted (crm)
    "withdrawn": 0.12,  # of grants, withdrawn later (unsubscribe)
    "offers_optin": 0.3,
    "sms_optin": 0.25,
    "loyalty_optin": 0.3,  # pos members: loyalty programme emails
    "push_optin": 0.65,
    "complaint": 0.002,
    "npai": 0.4,  # records still holding a mover's old address -> mail returned
    "erasure": 0.001,  # persons asking for erasure
}
_VIA = {"pos": "magasin", "web": "formulaire_web", "app": "app", "callcentre": "centre_appel"}
_CONTACT_CHANNELS = (["telephone", "email", "chat", "courrier"], [0.6, 0.25, 0.1, 0.05])
_CONTACT_REASONS = ["retard livraison", "produit defectueux", "remboursement", "modification adresse",
                    "question carte fidelite", "suivi commande", "reclamation magasin"]
_CONTACT_OUTCOMES = (["resolu", "rappel prevu", "escalade", "sans suite"], [0.7, 0.12, 0.1, 0.08])


def _epoch(ts: datetime) -> int:
    return int(ts.timestamp())


def orders(np_rng: np.random.Generator, source: str, recs: list[dict], end: datetime) -> pl.DataFrame:
    """Orders of the given customer records, in the file layout of `<source>_orders`."""
    mean, mu, sigma = ORDER_PROFILE[source]
    n = len(recs)
    keys = np.fromiter((r["_key"] for r in recs), dtype=np.int64, count=n)
    created = np.fromiter((_epoch(r["created_at"]) for r in recs), dtype=np.int64, count=n)
    end_s = _epoch(end)
    history = ORDER_HISTORY_DAYS * 86400
    since = np.maximum(created, end_s - history)
    # Heavy and light buyers; a recent account has had less time to order.
    activity = np_rng.gamma(1.2, 1 / 1.2, size=n) * np.clip((end_s - since) / history, 0.1, 1.0)
    counts = np.minimum(np_rng.poisson(mean * activity), 63)
    total = int(counts.sum())
    idx = np.repeat(np.arange(n), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    start = since[idx]
    ts = start + (np_rng.random(total) * (end_s - start)).astype(np.int64)
    cents = np.round(np_rng.lognormal(mu, sigma, total) * 100).astype(np.int64) + 99
    status = np_rng.choice(list(STATUS_SHARES), size=total, p=list(STATUS_SHARES.values()))
    order_keys = keys[idx] * 64 + within
    order_no = scramble("order", order_keys)
    customer = [recs[i]["source_record_id"] for i in idx]
    df = pl.DataFrame({"no": order_no, "customer": customer, "ts": ts, "cents": cents, "status": status})
    df = df.with_columns(pl.from_epoch("ts", time_unit="s").alias("ts")).sort("ts")
    if source == "pos":
        names = [s for s, _ in addr.stores()]
        return df.select(
            NUM_TICKET=pl.format("T{}", pl.col("no").cast(pl.String).str.zfill(10)),
            CLIENT_ID=pl.col("customer"),
            DATE_TICKET=pl.col("ts").dt.strftime("%d/%m/%Y %H:%M:%S"),
            MONTANT_TTC=pl.format("{},{}", pl.col("cents") // 100,
                                  (pl.col("cents") % 100).cast(pl.String).str.zfill(2)),
            DEVISE=pl.lit("EUR"),
            STATUT=pl.col("status"),
            MAGASIN=pl.Series(np_rng.choice(names, size=total)) if total else pl.lit(None, pl.String),
        )
    if source == "web":
        return df.select(
            order_id=pl.format("WO-{}", pl.col("no")),
            customer_id=pl.col("customer"),
            ordered_at=pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S"),
            total=(pl.col("cents") / 100),
            currency=pl.lit("EUR"),
            status=pl.col("status"),
            site=pl.Series(np_rng.choice(["maisonlumiere.fr", "click_and_collect"], size=total, p=[0.85, 0.15]))
            if total else pl.lit(None, pl.String),
        )
    return df.select(
        order_id=pl.format("AO-{}", pl.col("no")),
        user_id=pl.col("customer"),
        ordered_at=pl.col("ts"),
        amount=(pl.col("cents") / 100),
        currency=pl.lit("EUR"),
        status=pl.col("status"),
        channel=pl.Series(np_rng.choice(["app_ios", "app_android"], size=total)) if total else pl.lit(None, pl.String),
    )


def _ts(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max(1, int((end - start).total_seconds()))
    return (start + timedelta(seconds=rng.randrange(seconds))).replace(microsecond=0)


def contacts(rng: random.Random, recs: list[dict], end: datetime) -> list[dict]:
    """Call-centre contacts of the SAV customer records (1 to 4 each)."""
    out = []
    for r in recs:
        for j in range(1 + min(3, int(rng.expovariate(1.5)))):
            ts = _ts(rng, r["created_at"], end)
            out.append({
                "id_contact": f"CT{scramble('contact', r['_key'] * 16 + j):010d}",
                "id_client_sav": r["source_record_id"],
                "date_contact": ts.strftime("%d/%m/%Y %H:%M"),
                "canal": rng.choices(*_CONTACT_CHANNELS)[0],
                "motif": rng.choice(_CONTACT_REASONS),
                "resultat": rng.choices(*_CONTACT_OUTCOMES)[0],
            })
    return out


def _is_real_email(email: str | None) -> bool:
    return bool(email) and email.lower() not in PLACEHOLDER_EMAILS


def consents(rng: random.Random, recs: list[dict], end: datetime, seed: int) -> dict[str, list[dict]]:
    """Consent events of the chunk's records: crm (by email/phone), web (by customer), app push.
    Also returns the crm suppressions they imply (unsubscribe, STOP SMS, bounces, complaints)."""
    es = EVENT_SHARES
    crm, web, app, supp = [], [], [], []

    def grant_then_maybe_withdraw(rows: list, make, created: datetime, suppress: tuple[str, str] | None):
        t0 = _ts(rng, created, end)
        rows.append(make(t0, "granted"))
        if rng.random() < es["withdrawn"]:
            t1 = _ts(rng, t0, end)
            rows.append(make(t1, "withdrawn"))
            if suppress:
                supp.append({"contact": suppress[0], "channel": suppress[1],
                             "reason": "unsubscribe" if suppress[1] == "email" else "stop_sms",
                             "event_ts": t1.strftime("%Y-%m-%dT%H:%M:%S")})

    for r in recs:
        source, created = r["source"], r["created_at"]
        email = r["email"].lower() if _is_real_email(r["email"]) else None
        if source in ("pos", "callcentre") and email:
            for purpose, share in (("newsletter", es["email_optin"]), ("offers", es["offers_optin"]),
                                   ("loyalty", es["loyalty_optin"] if source == "pos" else 0.0)):
                if rng.random() < share:
                    grant_then_maybe_withdraw(crm, lambda t, s, p=purpose: {
                        "event_ts": t.strftime("%Y-%m-%dT%H:%M:%S"), "channel": "email", "purpose": p, "status": s,
                        "email": email, "phone": None, "collected_via": _VIA[source],
                        "proof": f"{_VIA[source]}:{r['source_record_id']}:{t:%Y%m%d}"}, created, (email, "email"))
        if r["phone"] and source != "app" and rng.random() < es["sms_optin"]:
            phone = r["phone"]
            grant_then_maybe_withdraw(crm, lambda t, s: {
                "event_ts": t.strftime("%Y-%m-%dT%H:%M:%S"), "channel": "sms", "purpose": "offers", "status": s,
                "email": None, "phone": phone, "collected_via": _VIA[source],
                "proof": f"sms_keyword:{t:%Y%m%d%H%M}"}, created, (phone, "sms"))
        if source == "web":
            for purpose, share in (("newsletter", es["email_optin"]), ("offers", es["offers_optin"])):
                if rng.random() < share:
                    grant_then_maybe_withdraw(web, lambda t, s, p=purpose: {
                        "ts": t.strftime("%Y-%m-%dT%H:%M:%S"), "channel": "email", "purpose": p, "status": s,
                        "customer_id": r["source_record_id"], "email": r["email"],
                        "source": rng.choice(["inscription", "compte", "checkout"]),
                        "proof": f"ip=203.0.113.{rng.randint(1, 254)};form={p}"}, created,
                        (email, "email") if email else None)
        if source == "app":
            token = hashlib.sha256(f"{seed}:{r['_key']}".encode()).hexdigest()
            for purpose, share in (("offers", es["push_optin"]), ("service", es["push_optin"] / 2)):
                if rng.random() < share:
                    grant_then_maybe_withdraw(app, lambda t, s, p=purpose: {
                        "ts": t, "channel": "push", "purpose": p, "status": s, "user_id": r["source_record_id"],
                        "screen": "onboarding" if s == "granted" else "settings", "device_token_hash": token},
                        created, None)
        if email and "email_provider_typo" in r["_cases"]:
            supp.append({"contact": email, "channel": "email", "reason": "hard_bounce",
                         "event_ts": _ts(rng, created, end).strftime("%Y-%m-%dT%H:%M:%S")})
        elif email and rng.random() < es["complaint"]:
            supp.append({"contact": email, "channel": "email", "reason": "complaint",
                         "event_ts": _ts(rng, created, end).strftime("%Y-%m-%dT%H:%M:%S")})
    return {"crm_consent": crm, "web_consent": web, "app_consent": app, "crm_suppressions": supp}


def postal_returns(rng: random.Random, recs: list[dict], end: datetime) -> list[dict]:
    """NPAI ("n'habite pas à l'adresse indiquée"): mail sent to a mover's old address comes back."""
    out = []
    for r in recs:
        if "old_address" in r["_cases"] and rng.random() < EVENT_SHARES["npai"]:
            out.append({"ADRESSE_COMPLETE": r["_address"].postal_line(), "CANAL": "post", "MOTIF": "npai",
                        "DATE_RETOUR": _ts(rng, end - timedelta(days=400), end).strftime("%d/%m/%Y")})
    return out


def erasure_requests(rng: random.Random, people: list[Person], end: datetime) -> list[dict]:
    """A few people ask the DPO to be forgotten, by email, phone or both."""
    out = []
    for p in people:
        if rng.random() < EVENT_SHARES["erasure"]:
            r = rng.random()
            out.append({
                "request_id": f"DPO-{scramble('request', p.pid):010d}",
                "received_at": _ts(rng, end - timedelta(days=60), end).strftime("%Y-%m-%dT%H:%M:%S"),
                "email": p.emails[0] if r < 0.8 else None,
                "phone": format_phone(rng, p.mobiles[0]) if r > 0.5 else None,
            })
    return out

