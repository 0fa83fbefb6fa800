"""Issue 12: every value that reaches the model passes the scenario schema and its cross-field
rules, whatever the entry: a file, an override, a sweep (tested in the bad-input corpus), seek."""

from __future__ import annotations

import pytest

import model
from model.errors import InputError

from conftest import SCENARIOS


@pytest.mark.parametrize("overrides, key, needle", [
    ({"levers.oil.brent_usd": -5.0}, "levers.oil.brent_usd", "greater than or equal to 0"),
    ({"levers.oil.brent_usd": [60.0, 120.0, -1.0]}, "levers.oil.brent_usd",
     "greater than or equal to 0"),
    ({"levers.lng.volume_mt": 1e9}, "levers.lng.volume_mt", "less than or equal to 100"),
    ({"levers.oil.share_of_india_crude": 0.3}, "levers.oil", "not both"),
    ({"levers.oil.discount_usd": 90.0}, "levers.oil.discount_usd", "crude price would be negative"),
    ({"levers.oil.brent_usd": float("nan")}, "levers.oil.brent_usd", "finite"),
    ({"levers.oil.brent_usd": True}, "levers.oil.brent_usd", "must be a number"),
])
def test_overrides_pass_the_scenario_rules(overrides, key, needle):
    sc = model.load_scenario(SCENARIOS / "oil_sanctions.toml")  # sets volume_mbd
    with pytest.raises(InputError) as err:
        model.run(sc, overrides=overrides)
    assert err.value.key == key and needle in err.value.message


def test_valid_overrides_still_run():
    res = model.run(SCENARIOS / "baseline.toml", overrides={"levers.oil.brent_usd": [60.0, 90.0]})
    assert res.batch.balance.shape[0] == 2


def test_seek_bounds_pass_the_cross_field_rules(cli):
    code, out, err = cli("seek", SCENARIOS / "baseline.toml", "--lever", "levers.oil.discount_usd",
                         "--target", "balance=-40", "--year", "2029-30", "--lo", "0", "--hi", "95")
    assert code == 2 and out == ""
    assert "levers.oil.discount_usd" in err and "(from --hi)" in err
    assert "crude price would be negative" in err and len(err.strip().splitlines()) == 1


# Audit: overrides together, and arrays of the wrong shape, go through the same rules
@pytest.mark.parametrize("overrides, key, needle", [
    # each value passes alone; together sample 0 has a negative crude price
    ({"levers.oil.brent_usd": [30.0, 80.0], "levers.oil.discount_usd": [40.0, 3.0]},
     "levers.oil.discount_usd", "crude price would be negative"),
    # both oil-volume settings at once, refused in a file
    ({"levers.oil.volume_mbd": 1.0, "levers.oil.share_of_india_crude": 0.2},
     "levers.oil", "not both"),
    ({"levers.oil.brent_usd": []}, "levers.oil.brent_usd", "at least one"),
    ({"levers.oil.brent_usd": [[70.0, 71.0], [72.0, 73.0]]}, "levers.oil.brent_usd", "(N,)"),
    ({"levers.oil.brent_usd": [60.0, 70.0, 80.0], "levers.oil.discount_usd": [3.0, 4.0]},
     "levers.oil.discount_usd", "same number of samples"),
])
def test_overrides_together_pass_the_scenario_rules(overrides, key, needle):
    sc = model.load_scenario(SCENARIOS / "baseline.toml")
    with pytest.raises(InputError) as err:
        model.run(sc, overrides=overrides)
    assert err.value.key == key and needle in err.value.message, err.value.render()


def test_override_nan_message_is_the_files():
    with pytest.raises(InputError) as err:
        model.run(SCENARIOS / "baseline.toml", overrides={"levers.oil.brent_usd": [70.0, float("inf")]})
    assert "must be a finite number (NaN and infinity are not allowed)" in err.value.message


def test_overrides_of_one_and_n_samples_mix():
    res = model.run(SCENARIOS / "baseline.toml", overrides={
        "levers.oil.brent_usd": [60.0, 90.0], "levers.oil.discount_usd": 5.0})
    assert res.batch.balance.shape[0] == 2
