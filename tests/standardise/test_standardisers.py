"""Each standardiser on French examples: the hard cases the linkage depends on."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cdp_pipeline.standardise import names, postal_key, standardise_address, standardise_emails, standardise_phones
from cdp_pipeline.marts.inputs import INPUT_COLUMNS
from cdp_pipeline.standardise.addresses import country_code
from cdp_pipeline.standardise.customers import standardise_customers
from cdp_pipeline.standardise.dates import parse_birth_dates, parse_dates, parse_timestamps
from cdp_pipeline.standardise.emails import standardise_email
from cdp_pipeline.standardise.phones import standardise_phone


@pytest.mark.parametrize("a, b", [("Hélène", "HELENE"), ("jean-pierre", "JEAN PIERRE"), ("N’Diaye", "N DIAYE"),
                                  ("L'ŒUVRE", "L OEUVRE"), ("  Marie  Christine ", "MARIE CHRISTINE")])
def test_match_form_folds_accents_case_and_punctuation(a, b):
    assert names.match_form(a) == b


@pytest.mark.parametrize("raw, shown", [("JEAN-PIERRE", "Jean-Pierre"), ("marie-christine", "Marie-Christine"),
                                        ("N'DIAYE", "N'Diaye"), ("LE GALL", "Le Gall"), ("DE LA FONTAINE", "de La Fontaine"),
                                        ("d'almeida", "d'Almeida"), ("hélène", "Hélène")])
def test_display_form_respects_compounds_and_particles(raw, shown):
    assert names.display(raw) == shown


def test_civility_split_and_mapping():
    assert names.split_civility("M. Jean") == ("M", "Jean")
    assert names.split_civility("Madame Anne-Sophie") == ("MME", "Anne-Sophie")
    assert names.split_civility("Marc") == (None, "Marc")  # a name starting like a civility is left alone
    assert names.civility("Mlle") == "MME" and names.civility("MONSIEUR") == "M" and names.civility("??") is None


def test_birth_and_usage_names():
    assert names.split_birth_name("DUPONT NEE MARTIN") == ("DUPONT", "MARTIN")
    assert names.split_birth_name("Dupont née Martin") == ("Dupont", "Martin")
    assert names.split_birth_name("MARTIN EP DUPONT") == ("DUPONT", "MARTIN")
    assert names.split_birth_name("RENEE") == ("RENEE", None)


@pytest.mark.parametrize("value, flag", [("Jean", "ok"), ("XXX", "junk"), ("inconnu", "junk"), ("1234", "junk"),
                                         ("J", "junk"), ("Jean2", "junk"), (None, "missing"),
                                         ("  ", "missing")])
def test_name_flags(value, flag):
    assert names.flag(value) == flag


@pytest.mark.parametrize("raw, email, flag", [
    (" Jean.Dupont@Orange.FR ", "jean.dupont@orange.fr", "ok"),
    ("jp@gmial.com", "jp@gmail.com", "corrected"),
    ("marie@wanado.fr", "marie@wanadoo.fr", "corrected"),
    ("anne@gmail.fr", "anne@gmail.fr", "ok"),  # a real domain: never "fixed"
    ("test@test.com", "test@test.com", "junk"),
    ("noreply@magasin.fr", "noreply@magasin.fr", "junk"),
    ("pas un email", None, "invalid"),
    ("jean@@orange.fr", None, "invalid"),
    (None, None, "missing"),
])
def test_emails(raw, email, flag):
    assert standardise_email(raw) == (email, flag)


def test_emails_vectorised_over_distinct_values():
    out = standardise_emails(pl.Series(["A@B.FR", "A@B.FR", None, "x"]))
    assert out.height == 2 and out.columns == ["email_raw", "email", "email_flag"]


@pytest.mark.parametrize("raw, e164, kind, flag", [
    ("06 11 22 33 44", "+33611223344", "mobile", "ok"),
    ("06 12 34 56 78", "+33612345678", "mobile", "ok"),  # looks made up, but it's a real number: 'shared' catches reuse
    ("0692 12 34 56", "+262692123456", "mobile", "ok"),  # La Réunion, typed in the French national form
    ("06.11.22.33.44", "+33611223344", "mobile", "ok"),
    ("+33 6 11 22 33 44", "+33611223344", "mobile", "ok"),
    ("0033611223344", "+33611223344", "mobile", "ok"),
    ("33611223344", "+33611223344", "mobile", "ok"),
    ("611223344", "+33611223344", "mobile", "ok"),  # leading zero dropped by a spreadsheet
    ("07 81 22 33 44", "+33781223344", "mobile", "ok"),
    ("01 45 67 89 10", "+33145678910", "landline", "ok"),
    ("0000000000", None, None, "junk"),
    ("0100000000", None, None, "junk"),
    ("06 06 06 06 06", None, None, "junk"),
    ("01 02 03 04 05", None, None, "junk"),
    ("12", None, None, "invalid"),
    (None, None, None, "missing"),
])
def test_french_phones(raw, e164, kind, flag):
    assert standardise_phone(raw, "FR") == (e164, kind, flag)


def test_foreign_phone_stays_valid_with_its_region():
    assert standardise_phone("02 555 12 12", "BE") == ("+3225551212", "landline", "ok")
    assert standardise_phones(pl.Series(["+41 44 668 18 00"]), "FR")["phone_flag"].to_list() == ["ok"]


def test_address_bis_and_afnor_lines():
    a = standardise_address("12 bis rue de la République", None, "69002", "Lyon", None)
    assert (a.street_number, a.street_number_suffix, a.street_name) == ("12", "BIS", "RUE DE LA REPUBLIQUE")
    assert (a.address_l4, a.address_l6, a.address_status, a.departement) == (
        "12 BIS RUE DE LA REPUBLIQUE", "69002 LYON", "validated", "69")
    assert standardise_address("12B avenue Foch", None, "75116", "Paris", None).street_number_suffix == "B"


def test_address_complement_lines_split_l2_l3():
    a = standardise_address("3 avenue Jean Jaurès", "Résidence les Pins Bât B Appt 12", "75019", "PARIS", None)
    assert a.address_l2 == "APPARTEMENT 12"
    assert a.address_l3 == "RESIDENCE LES PINS BATIMENT B"
    assert a.address_l4 == "3 AVENUE JEAN JAURES" and a.street_name == "AV JEAN JAURES"


def test_lieu_dit_goes_to_line_5():
    a = standardise_address("Lieu-dit Les Granges", None, "24200", "Sarlat-la-Canéda", None)
    assert a.address_l5 == "LIEU DIT LES GRANGES" and a.address_l4 is None and a.address_status == "validated"


def test_lines_never_exceed_38_characters_and_abbreviate_only_when_needed():
    a = standardise_address("145 boulevard du Maréchal de Lattre de Tassigny", None, "42000", "Saint-Étienne", None)
    assert len(a.address_l4) <= 38 and a.address_l4.startswith("145 BD DU MAL DE LATTRE")
    short = standardise_address("1 boulevard Voltaire", None, "75011", "Paris", None)
    assert short.address_l4 == "1 BOULEVARD VOLTAIRE"


def test_cedex_is_recognised():
    a = standardise_address("1 place du Général de Gaulle", None, "75008", "PARIS CEDEX 08", None)
    assert a.cedex and a.address_l6 == "75008 PARIS CEDEX 08" and a.address_status == "validated"


def test_postcode_commune_validated_corrected_rejected():
    assert standardise_address("10 rue de Rivoli", None, "75004", "Paris 4e", None).address_status == "corrected"
    padded = standardise_address("12 Grand Rue", None, "1000", "Bourg-en-Bresse", None)
    assert (padded.postcode, padded.address_status) == ("01000", "corrected")
    no_cp = standardise_address("5 rue du Port", None, None, "Saint Jean de Luz", None)
    assert (no_cp.postcode, no_cp.address_status) == ("64500", "corrected")
    wrong_cp = standardise_address("5 rue du Port", None, "75001", "Saint-Jean-de-Luz", None)
    assert (wrong_cp.postcode, wrong_cp.address_status) == ("64500", "corrected")  # its only postcode
    assert standardise_address("5 rue du Port", None, "75001", "Lyon", None).address_status == "rejected"
    assert standardise_address("5 rue du Port", None, None, None, None).address_status == "rejected"
    typo = standardise_address("5 rue du Port", None, "64500", "St Jean de Lutz", None)
    assert (typo.city, typo.address_status) == ("SAINT JEAN DE LUZ", "corrected")
    assert standardise_address("1 rue X", None, "99999", "Nowhere", None).address_status == "rejected"
    assert standardise_address(None, None, None, None, None).address_status == "missing"


def test_foreign_address_is_not_rejected():
    a = standardise_address("Rue de la Loi 16", None, "1000", "Bruxelles", "Belgique")
    assert (a.country, a.address_status, a.postcode) == ("BE", "foreign", "1000")


def test_postal_key_matches_the_standardised_address():
    a = standardise_address("12 bis rue de la République", None, "69002", "Lyon", None)
    assert postal_key("12 BIS RUE DE LA REPUBLIQUE 69002 LYON") == f"{a.address_l4} {a.postcode}"
    assert postal_key("no postcode here") is None
    assert postal_key("M DUPONT JEAN 12 BIS RUE DE LA PAIX 75002 PARIS") == "12 BIS RUE DE LA PAIX 75002"
    assert postal_key("RESIDENCE LES PINS BAT 2 ESC A 7 AVENUE DU 11 NOVEMBRE 69002 LYON") == (
        "7 AVENUE DU 11 NOVEMBRE 69002")
    assert postal_key("1 PLACE DU GENERAL DE GAULLE 75008 PARIS CEDEX 08") == "1 PLACE DU GENERAL DE GAULLE 75008"


def test_birth_dates_flagged_not_guessed():
    out = parse_birth_dates(pl.Series(["01/02/1980", "31/02/1980", "15/06/2990", "1980-02-01", None]), "%d/%m/%Y",
                            today=date(2026, 11, 1))
    assert out["birth_date"].to_list() == [date(1980, 2, 1), None, None, None, None]
    assert out["birth_date_flag"].to_list() == ["ok", "impossible", "impossible", "unparseable", "missing"]


def test_dates_with_the_declared_format_only():
    out = parse_dates(pl.Series(["29/02/2024", "29/02/2023", "2024-02-01", " ", None]), "%d/%m/%Y")
    assert out["value"].to_list() == [date(2024, 2, 29), None, None, None, None]
    assert out["flag"].to_list() == ["ok", "impossible", "unparseable", "missing", "missing"]


def test_birth_dates_too_old_are_impossible():
    out = parse_birth_dates(pl.Series(["01/01/1899", "01/01/1905"]), "%d/%m/%Y", today=date(2026, 11, 1))
    assert out["birth_date_flag"].to_list() == ["impossible", "impossible"]  # 1905: older than 120


def test_declared_timestamp_format_is_the_only_one_tried():
    out = parse_timestamps(pl.Series(["01/02/2024 10:11:12", "2024-03-04T05:06:07Z"]), "%d/%m/%Y %H:%M:%S",
                           "%d/%m/%Y")
    assert [v and v.isoformat() for v in out.to_list()] == ["2024-02-01T10:11:12", None]


def test_undeclared_timestamps_read_date_format_or_iso_in_utc():
    out = parse_timestamps(pl.Series(["2024-03-04T05:06:07Z", "2024-03-04T05:06:07+02:00", "2024-03-04 05:06:07.5",
                                      "04/03/2024", "nope"]), None, "%d/%m/%Y")
    assert [v and v.isoformat() for v in out.to_list()] == [
        "2024-03-04T05:06:07", "2024-03-04T03:06:07", "2024-03-04T05:06:07.500000", "2024-03-04T00:00:00", None]


def test_standardise_customers_keeps_rows_order_and_raw_values():
    df = pl.DataFrame({
        "source_record_id": ["b", "a", "c"],
        "first_name": ["M. JEAN-PIERRE", "Hélène", None],
        "last_name": ["DUPONT NEE MARTIN", "L’Œuvre", "X"],
        "birth_date": ["01/02/1980", "31/02/1980", None],
        "email": ["JP@GMIAL.COM", "jp@gmial.com", None],
        "phone": ["06 11 22 33 44", "0000000000", "+32 2 555 12 12"],
        "country": [None, None, "BE"],
        "loyalty_id": [" ab 12", None, None],
    })
    out = standardise_customers(df, date_format="%d/%m/%Y", timestamp_format=None, default_country="FR")
    assert out["source_record_id"].to_list() == ["b", "a", "c"]
    assert out["civility"].to_list() == ["M", None, None]
    assert out["first_name"].to_list() == ["Jean-Pierre", "Hélène", None]
    assert out["last_name_std"].to_list() == ["DUPONT", "L OEUVRE", "X"]
    assert out["birth_name_std"].to_list() == ["MARTIN", None, None]
    assert out["email"].to_list() == ["jp@gmail.com", "jp@gmail.com", None]
    assert out["email_raw"].to_list() == ["JP@GMIAL.COM", "jp@gmial.com", None]
    assert out["phone"].to_list() == ["+33611223344", None, "+3225551212"]
    assert out["phone_flag"].to_list() == ["ok", "junk", "ok"]
    assert out["birth_date_flag"].to_list() == ["ok", "impossible", "missing"]
    assert out["birth_date_raw"].to_list() == ["01/02/1980", "31/02/1980", None]
    assert out["loyalty_id"].to_list() == ["AB12", None, None]
    assert out.schema["birth_date"] == pl.Date and out.schema["cedex"] == pl.Boolean


@pytest.mark.parametrize("raw, email, flag", [
    ("claire@hotmial.fr", "claire@hotmail.fr", "corrected"),
    ("paul@orange.ff", "paul@orange.fr", "corrected"),
    ("lea@yahooo.fr", "lea@yahoo.fr", "corrected"),
    ("noemail@magasin.fr", "noemail@magasin.fr", "junk"),
    ("pasdemail@orange.fr", "pasdemail@orange.fr", "junk"),
    ("jean@example.com", "jean@example.com", "junk"),
    ("a@a.fr", "a@a.fr", "junk"),
])
def test_email_typos_and_placeholders(raw, email, flag):
    assert standardise_email(raw) == (email, flag)


def test_cp1252_apostrophes_and_ligatures():
    assert names.display("N’DIAYE") == "N'Diaye"
    assert names.match_form("Œuvre") == names.match_form("OEUVRE") == "OEUVRE"


def test_address_floor_chez_residence_and_street_lines():
    a = standardise_address("Résidence Les Lilas, bâtiment C, 4e étage, 7 rue des Fleurs", "chez Mme Durand",
                            "13001", "marseille", None)
    assert (a.address_l2, a.address_l3, a.address_l4) == ("ETAGE 4 CHEZ MME DURAND", "RESIDENCE LES LILAS BATIMENT C",
                                                         "7 RUE DES FLEURS")


def test_departements_of_corsica_and_overseas():
    assert standardise_address("3 cours Napoléon", None, "20000", "Ajaccio", None).departement == "2A"
    assert standardise_address("5 rue Victor Hugo", None, "97400", "Saint-Denis", None).departement == "974"


def test_cedex_business_address_with_bp():
    a = standardise_address("Tour Europe, 33 place des Corolles", "BP 123", "92049", "Paris la Défense Cedex", None)
    assert (a.address_l3, a.address_l4, a.address_l5) == ("TOUR EUROPE", "33 PLACE DES COROLLES", "BP 123")
    assert a.cedex and a.address_status == "validated" and a.address_l6 == "92049 PARIS LA DEFENSE CEDEX"


@pytest.mark.parametrize("value, code", [("France", "FR"), ("fra", "FR"), ("", "FR"), (None, "FR"), ("Belgique", "BE"),
                                         ("SUISSE", "CH"), ("Maroc", "MA"), ("Atlantide", "ZZ")])
def test_country_values_normalised(value, code):
    assert country_code(value, "FR") == code


def test_unrecognised_country_is_foreign_not_french():
    a = standardise_address("Hauptstraße 5", None, "10115", "Berlin", "Deutschland-Ost")
    assert (a.country, a.address_status) == ("ZZ", "foreign")


def test_standardise_customers_columns_are_the_staging_contract():
    out = standardise_customers(pl.DataFrame({"source_record_id": ["1"]}), date_format="%Y-%m-%d",
                                timestamp_format=None, default_country="FR")
    added_by_staging = {"record_id", "source", "trust", "loaded_at"}
    assert set(out.columns) == set(INPUT_COLUMNS["staging.identity_records"]) - added_by_staging
    assert out.schema["created_at"] == pl.Datetime("us") and out.schema["birth_date"] == pl.Date
    assert out.row(0, named=True)["address_status"] == "missing" and out["email_flag"].to_list() == ["missing"]


def test_standardise_customers_repeated_values_and_explicit_birth_name():
    df = pl.DataFrame({
        "source_record_id": [str(i) for i in range(6)],
        "civility": ["Madame", None, "M", None, None, None],
        "first_name": ["anne", "Mme Anne", "ANNE", "anne", None, "anne"],
        "last_name": ["Dupont née Martin", "DUPONT", "DUPONT", "Dupont née Martin", None, "Dupont"],
        "birth_name": [None, None, None, "Leroy", None, None],
        "phone": ["02 555 12 12", "02 555 12 12", None, None, None, "02 555 12 12"],
        "country": ["Belgique", None, None, None, None, "BE"],
        "created_at": ["2024-01-02T03:04:05Z"] * 6,
    })
    out = standardise_customers(df, date_format="%Y-%m-%d", timestamp_format=None, default_country="FR")
    assert out["source_record_id"].to_list() == [str(i) for i in range(6)]
    assert out["civility"].to_list() == ["MME", "MME", "M", None, None, None]
    assert out["birth_name_std"].to_list() == ["MARTIN", None, None, "LEROY", None, None]
    assert out["phone"].to_list() == ["+3225551212", None, None, None, None, "+3225551212"]  # BE number, FR record
    assert out["phone_flag"].to_list() == ["ok", "invalid", "missing", "missing", "missing", "ok"]
    assert out["country"].to_list() == ["BE", "FR", "FR", "FR", "FR", "BE"]
