"""phone_norm (sql/privacy/macros.sql) was rewritten for speed: it must give exactly what the
plain formula gives, on standardised, raw and non-phone values alike (purge and DSAR predicates
apply it to mixed columns such as contact_point)."""

import duckdb

from cdp_pipeline.warehouse import render_sql

VALUES = [None, "", "+", "+33612345678", "0612345678", "06 12 34 56 78", "06.12.34.56.78", "0033612345678",
          "33612345678", "+44 20 7946 0958", "0044 20 7946 0958", "612345678", "00", "0", "33",
          "alice@x.fr", "jean+33612345678@x.fr", "12 rue de la Paix 75002 Paris", "+33 (0)6 12 34 56 78", "++33",
          "+0", "061234567", "336123456789", "3361234567+", "06123456+8", "0 0 33 6", "tel: 06/12/34/56/78",
          "+33612345678\n", "0033 6 12 34 56 78", "000612345678"]


def test_phone_norm_matches_the_plain_formula():
    con = duckdb.connect()
    con.execute(render_sql("privacy/macros.sql"))
    rows = con.execute("SELECT v, phone_norm(v), phone_norm_digits(phone_digits(v)) FROM unnest(?::VARCHAR[]) AS t(v)",
                       [VALUES]).fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows]
    assert dict((r[0], r[1]) for r in rows)["06 12 34 56 78"] == "+33612345678"
