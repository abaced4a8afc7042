"""A tiny hand-made warehouse for the quality tests: good tables, and one spoiler per check.

Personal values (names, e-mails, phones) are distinctive strings so tests can assert that
none of them leaks into check metadata, audit.check_results or the report.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb

PERSONAL = ["alice.martin@example.fr", "+33612345678", "Martin", "bob.durand@example.fr", "+33698765432",
            "not-an-email", "0612"]

CONFIG = """\
warehouse: wh.duckdb
sources:
  - name: pos
    kind: customers
    path: landing/pos/*.csv
    format: csv
    columns: {source_record_id: id, last_name: nom, email: mail}
quality:
  sample_ids: 5
{extra}
"""

GOOD = """
CREATE TABLE audit.file_loads (source VARCHAR, file VARCHAR, file_sha256 VARCHAR, loaded_at TIMESTAMP,
    rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_erased BIGINT, status VARCHAR, message VARCHAR);
INSERT INTO audit.file_loads VALUES ('pos', 'pos_1.csv', 'a', TIMESTAMP '2026-01-01 02:00', 2, 2, 0, 0, 'loaded', '');
CREATE TABLE raw.pos AS SELECT * FROM (VALUES
    ('1', 'Martin', 'alice.martin@example.fr', '/l/pos_1.csv', 2, TIMESTAMP '2026-01-01 02:00'),
    ('2', 'Durand', 'bob.durand@example.fr', '/l/pos_1.csv', 3, TIMESTAMP '2026-01-01 02:00'))
    t(id, nom, mail, _file, _line, _loaded_at);
CREATE TABLE staging.identity_records AS SELECT * FROM (VALUES
    ('pos:1', 'pos', '1', 'Martin', 'alice.martin@example.fr', 'alice.martin@example.fr', '+33612345678', '06 12 34 56 78',
     '75001', 'FR', 'validated', DATE '1980-05-01'),
    ('pos:2', 'pos', '2', 'Durand', 'bob.durand@example.fr', 'bob.durand@example.fr', '+33698765432', '06 98 76 54 32',
     '20000', 'FR', 'validated', DATE '1975-02-03'))
    t(record_id, source, source_record_id, last_name, email, email_raw, phone, phone_raw, postcode, country,
      address_status, birth_date);
ALTER TABLE staging.identity_records ADD COLUMN email_flag VARCHAR DEFAULT 'ok';
CREATE TABLE staging.orders AS SELECT * FROM (VALUES
    ('web:o1', 'web', 'o1', 'pos:1', 19.90::DECIMAL(12,2), 'paid', false),
    ('web:o2', 'web', 'o2', 'pos:2', -5.00::DECIMAL(12,2), 'returned', false))
    t(record_id, source, order_id, customer_record_key, amount, status, status_unknown);
CREATE TABLE staging.consent_events AS SELECT * FROM (VALUES
    ('e1', 'email', 'newsletter', 'granted', 'alice.martin@example.fr'),
    ('e2', 'sms', 'offers', 'withdrawn', '+33698765432'))
    t(event_id, channel, purpose, status, email);
CREATE TABLE identity.customer_xref AS SELECT * FROM (VALUES
    ('pos:1', 'pos', '1', 'C000000001'), ('pos:2', 'pos', '2', 'C000000002'))
    t(record_id, source, source_record_id, customer_id);
CREATE TABLE identity.customer_id_redirects AS SELECT * FROM (VALUES
    ('C000000003', 'C000000001', 'merge'), ('C000000004', 'C000000003', 'merge'), ('C000000005', NULL, 'removed'))
    t(old_id, new_id, reason);
CREATE TABLE marts.golden_customers AS SELECT * FROM (VALUES
    ('C000000001', 'Martin', 'alice.martin@example.fr'), ('C000000002', 'Durand', 'bob.durand@example.fr'))
    t(customer_id, last_name, email);
CREATE TABLE marts.consent_current AS SELECT * FROM (VALUES
    ('customer', 'C000000001', NULL, 'email', 'newsletter', 'granted', true),
    ('customer', 'C000000002', NULL, 'email', 'newsletter', 'soft_opt_in', true),
    ('contact_point', NULL, 'bob.durand@example.fr', 'email', 'offers', 'withdrawn', false))
    t(scope, customer_id, contact_point, channel, purpose, status, usable);
CREATE TABLE marts.suppressions AS SELECT * FROM (VALUES ('+33698765432', 'sms')) t(contact_point, channel);
CREATE TABLE marts.audience_members AS SELECT * FROM (VALUES
    ('nl', 'C000000001', 'email', 'newsletter', 'alice.martin@example.fr'),
    ('nl', 'C000000002', 'email', 'newsletter', 'bob.durand@example.fr'))
    t(audience, customer_id, channel, purpose, contact_point);
"""

# check name -> SQL that makes exactly that check fail
SPOILERS = {
    "raw_pos_required_fields": "INSERT INTO raw.pos VALUES (NULL, 'Martin', 'x@example.fr', '/l/pos_1.csv', 4, "
                               "TIMESTAMP '2026-01-01 02:00')",
    "staging_record_id_unique": "INSERT INTO staging.identity_records SELECT * FROM staging.identity_records "
                                "WHERE record_id = 'pos:1'",
    "staging_email_validity": "UPDATE staging.identity_records SET email = NULL, email_raw = 'not-an-email' "
                              "WHERE record_id = 'pos:2'",
    "staging_phone_validity": "UPDATE staging.identity_records SET phone = '0612' WHERE record_id = 'pos:2'",
    "staging_postcode_validity": "UPDATE staging.identity_records SET postcode = '00012' WHERE record_id = 'pos:2'",
    "staging_birth_date_range": "UPDATE staging.identity_records SET birth_date = DATE '1850-01-01' "
                                "WHERE record_id = 'pos:2'",
    "staging_order_id": "INSERT INTO staging.orders VALUES (NULL, 'web', NULL, 'pos:1', 1, 'paid', false)",
    "staging_order_amount_range": "UPDATE staging.orders SET amount = 9999999 WHERE record_id = 'web:o1'",
    "staging_order_status": "UPDATE staging.orders SET status_unknown = true WHERE record_id = 'web:o1'",
    "staging_order_customer_known": "UPDATE staging.orders SET customer_record_key = 'pos:404' "
                                    "WHERE record_id = 'web:o1'",
    "staging_consent_accepted_values": "UPDATE staging.consent_events SET channel = 'fax' WHERE event_id = 'e1'",
    "identity_xref_unique": "INSERT INTO identity.customer_xref VALUES ('pos:1', 'pos', '1', 'C000000002')",
    "identity_every_record_has_customer": "DELETE FROM identity.customer_xref WHERE record_id = 'pos:2'",
    "identity_redirects_resolve": "INSERT INTO identity.customer_id_redirects VALUES ('C000000006', 'C000000999', 'merge')",
    "marts_golden_customer_id_unique": "INSERT INTO marts.golden_customers VALUES ('C000000001', 'Martin', NULL)",
    "marts_audience_consent": "INSERT INTO marts.suppressions VALUES ('bob.durand@example.fr', 'email')",
    "marts_audience_contact_validity": "UPDATE marts.audience_members SET contact_point = 'not-an-email' "
                                       "WHERE customer_id = 'C000000001'",
}


def write_config(folder: Path, quality_yaml: str = "", name: str = "cdp.yaml") -> Path:
    """A config for `folder`/wh.duckdb with extra keys under `quality:`."""
    config = folder / name
    config.write_text(CONFIG.replace("{extra}", textwrap.indent(textwrap.dedent(quality_yaml), "  ")), encoding="utf-8")
    return config


def make_warehouse(folder: Path, spoil: list[str] = (), quality_yaml: str = "") -> Path:
    """Write cdp.yaml and wh.duckdb into `folder`; apply the named spoilers. Returns the config path."""
    from cdp_pipeline.warehouse import ensure_schemas

    config = write_config(folder, quality_yaml)
    con = duckdb.connect(str(folder / "wh.duckdb"))
    try:
        ensure_schemas(con)
        con.execute(GOOD)
        for name in spoil:
            con.execute(SPOILERS[name])
    finally:
        con.close()
    return config
