"""Emails: lower-cased, syntax-checked, junk flagged, provider typos fixed only where certain."""

from __future__ import annotations

import re

import polars as pl

from cdp_pipeline.standardise.text import clean

# Pragmatic syntax: what marketing platforms accept (no quoted local parts, a dotted domain).
_EMAIL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
                    r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
# Typos of French providers' domains that are never real domains of their own.
DOMAIN_TYPOS = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com", "gmail.co": "gmail.com",
    "gmail.con": "gmail.com", "gmaill.com": "gmail.com", "gnail.com": "gmail.com",
    "hotmial.fr": "hotmail.fr", "hotmal.fr": "hotmail.fr", "hotmail.fe": "hotmail.fr", "homail.fr": "hotmail.fr",
    "hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com",
    "orange.ff": "orange.fr", "oange.fr": "orange.fr", "ornage.fr": "orange.fr", "orange.fe": "orange.fr",
    "wanado.fr": "wanadoo.fr", "wanadoo.ff": "wanadoo.fr", "wandoo.fr": "wanadoo.fr",
    "yahooo.fr": "yahoo.fr", "yaho.fr": "yahoo.fr", "yahoo.ff": "yahoo.fr",
    "laposte.ne": "laposte.net", "lapost.net": "laposte.net", "laposte.nte": "laposte.net",
    "free.ff": "free.fr", "fre.fr": "free.fr", "sfr.ff": "sfr.fr",
}
JUNK_LOCAL = {
    "test", "noreply", "no-reply", "no.reply", "noemail", "nomail", "pasdemail", "pas.de.mail", "aucun", "none",
    "null", "xxx", "xx", "x", "a", "abc", "inconnu", "nc", "na", "client", "magasin", "contact",
}
JUNK_DOMAINS = {"test.com", "test.fr", "example.com", "example.fr", "example.org", "mail.com.invalid", "a.fr",
                "a.com", "xxx.fr", "xxx.com", "nomail.fr", "noemail.fr", "pasdemail.fr", "domain.com"}


def standardise_email(raw: str | None) -> tuple[str | None, str]:
    """(email, flag) with flag ok | corrected | missing | invalid | junk."""
    value = clean(raw)
    if not value:
        return None, "missing"
    value = value.lower().strip(" .;,<>\"'").removeprefix("mailto:")
    value = value.replace(" ", "")
    if not _EMAIL.match(value):
        return None, "invalid"
    local, domain = value.rsplit("@", 1)
    if local in JUNK_LOCAL or domain in JUNK_DOMAINS or local.startswith("noreply"):
        return value, "junk"
    if domain in DOMAIN_TYPOS:
        return f"{local}@{DOMAIN_TYPOS[domain]}", "corrected"
    return value, "ok"


def standardise_emails(values: pl.Series) -> pl.DataFrame:
    """One row per distinct non-null input value (a lookup to join back on email_raw):
    email_raw, email, email_flag."""
    rows = [(v, *standardise_email(v)) for v in values.drop_nulls().unique().to_list()]
    return pl.DataFrame(rows, schema={"email_raw": pl.Utf8, "email": pl.Utf8, "email_flag": pl.Utf8}, orient="row")
