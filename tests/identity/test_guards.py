"""What the model is allowed to see: flagged or over-shared identifiers, blocking cost, retraining."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cdp_pipeline.identity.session import open_session
from cdp_pipeline.identity.settings import select_blocking_rules
from cdp_pipeline.identity.train import Model, current_spec, retrain_reason
from cdp_pipeline.warehouse import connect
from tests.identity.records import make_config, write_records


def _person(i: int, **values) -> dict:
    base = {"source": "pos", "source_record_id": str(i), "first_name_std": f"NAME{i}",
            "last_name_std": "DOE", "birth_date": date(1980, 1, 1 + i % 28), "postcode": "75011",
            "street_number": "1", "street_name": "RUE A", "city": "PARIS"}
    return base | values


def _matching_view(tmp_path, rows, **identity):
    cfg = make_config(tmp_path, **identity)
    with connect(cfg.warehouse) as con:
        write_records(con, rows)
        with open_session(con, cfg.identity) as s:
            return {r[0]: r[1:] for r in s.mem.execute(
                "SELECT record_id, email, phone, street_name, postcode, match_hash, loyalty_id FROM identity_input"
            ).fetchall()}


def test_flagged_identifiers_are_nulled(tmp_path):
    rows = [
        _person(1, email="a@x.fr", email_flag="junk", phone="+33611111111", phone_flag="shared"),
        _person(2, email="b@x.fr", email_flag="corrected", address_status="rejected"),
    ]
    view = _matching_view(tmp_path, rows)
    assert view["pos:1"][:2] == (None, None)
    assert view["pos:2"][0] == "b@x.fr" and view["pos:2"][2:4] == (None, None)


def test_identifier_shared_by_too_many_people_is_nulled(tmp_path):
    shop = {"email": "contact@boutique.fr", "phone": "+33622222222", "loyalty_id": "STORE-CARD"}
    rows = [_person(i, **shop) for i in range(4)] + [_person(10, email="me@x.fr"), _person(11, email="me@x.fr")]
    view = _matching_view(tmp_path, rows, shared_identifier_max_people=3)
    assert all(view[f"pos:{i}"][:2] == (None, None) and view[f"pos:{i}"][5] is None for i in range(4))
    assert view["pos:10"][0] == "me@x.fr"


def test_match_hash_follows_matching_columns_only(tmp_path):
    rows = [_person(1), _person(2), _person(3, address_raw="1 RUE A"), _person(4, first_name_std="NAME2")]
    view = _matching_view(tmp_path, rows)
    assert view["pos:1"][4] != view["pos:2"][4]
    same_but_raw = _matching_view(tmp_path / "b", [_person(3)])
    assert same_but_raw["pos:3"][4] == view["pos:3"][4]


def test_expensive_blocking_rules_are_dropped(tmp_path):
    rows = [_person(i) for i in range(60)]  # one postcode, one street: address rules explode
    cfg = make_config(tmp_path, max_pairs_per_record=5)
    with connect(cfg.warehouse) as con:
        write_records(con, rows)
        with open_session(con, cfg.identity) as s:
            kept, summary = select_blocking_rules(s.records, s.n_records, cfg.identity)
    dropped = [r["rule"] for r in summary if not r["kept"]]
    assert any("street_name" in r for r in dropped) and any("postcode" in r for r in dropped)
    assert len(kept) == len(summary) - len(dropped) > 0
    assert sum(r["comparisons_per_record"] for r in summary if r["kept"]) <= 5


def test_retrain_policy(tmp_path):
    model = Model("v1", Path("m.json"), records=1000, spec=current_spec())
    assert retrain_reason(None, 10, make_config(tmp_path)) == "no model"
    assert retrain_reason(model, 1200, make_config(tmp_path)) is None
    assert retrain_reason(model, 1300, make_config(tmp_path)) == "record count drift"
    assert retrain_reason(model, 700, make_config(tmp_path)) == "record count drift"
    assert retrain_reason(model, 5000, make_config(tmp_path, retrain="never")) is None
    assert retrain_reason(model, 1000, make_config(tmp_path, retrain="always")) is not None
    older = Model("v0", Path("m.json"), records=1000, spec="from older code")
    assert retrain_reason(older, 1000, make_config(tmp_path)) == "model settings changed"


def test_sex_is_inferred_from_first_names_stated_with_one_civility(tmp_path):
    """A record without civility takes the sex its first name has in this warehouse, when that
    name is seen often enough and almost always with one civility; a mixed name infers nothing."""
    rows = [_person(100 + i, first_name_std="NATHAN", civility="M") for i in range(30)]
    rows += [_person(20 + i, first_name_std="CAMILLE", civility="M" if i % 2 else "MME") for i in range(10)]
    rows += [_person(40 + i, first_name_std="LOUISE", civility="MME") for i in range(9)]
    rows += [_person(90, first_name_std="NATHAN"), _person(91, first_name_std="CAMILLE"),
             _person(92, first_name_std="LOUISE"), _person(93, first_name_std="NATHAN", civility="MME")]
    cfg = make_config(tmp_path)
    with connect(cfg.warehouse) as con:
        write_records(con, rows)
        with open_session(con, cfg.identity) as s:
            sex = dict(s.mem.execute("SELECT record_id, sex FROM identity_input").fetchall())
    assert sex["pos:90"] == "M"
    assert sex["pos:91"] is None  # given to both sexes
    assert sex["pos:92"] is None  # seen 9 times only
    assert sex["pos:93"] == "MME"  # a stated civility wins
    assert sex["pos:100"] == "M"


def test_building_line_follows_the_address_guard(tmp_path):
    """Line 3 (building, residence, place name) is matched only when the address is usable."""
    rows = [_person(1, address_l3="RESIDENCE LES TILLEULS"),
            _person(2, address_l3="RESIDENCE LES TILLEULS", address_status="rejected")]
    cfg = make_config(tmp_path)
    with connect(cfg.warehouse) as con:
        write_records(con, rows)
        with open_session(con, cfg.identity) as s:
            extra = dict(s.mem.execute("SELECT record_id, address_extra FROM identity_input").fetchall())
    assert extra == {"pos:1": "RESIDENCE LES TILLEULS", "pos:2": None}
