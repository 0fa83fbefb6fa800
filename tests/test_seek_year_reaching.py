"""``seek --year-reaching``: when the target is never reached, the figure the README quotes —
what it would take (Russian crude, mb/d) to reach it in FY2029-30 — is printed and is right."""

from __future__ import annotations

import re

import pytest

from model.analysis.seek import default_seek_year, lever_label, seek
from model.scenario import load_scenario

from conftest import SCENARIOS
from test_seek import forward

LINE = re.compile(r"^baseline: reaching 100 in FY2029-30 would take levers\.oil\.volume_mbd "
                  r"\(Russian crude to India, mb/d\) = (\d+\.\d+) \(total_trade 100\.00\)$")


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.toml")


def test_never_reached_prints_what_it_would_take(cli, baseline):
    code, out, err = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching", "total_trade=100")
    assert code == 3, err
    first, second = out.splitlines()
    assert first.startswith("baseline: total_trade does not reach 100 by FY2034-35 (highest ")
    m = LINE.match(second)
    assert m, second
    printed = float(m.group(1))
    exact = seek(baseline, "levers.oil.volume_mbd", "total_trade", 100.0, 2029)
    assert exact.feasible and printed == pytest.approx(exact.value, abs=0.006)  # 3 digits
    # run forward: the printed volume gives US$100bn in FY2029-30, to its rounding
    assert forward(baseline, "levers.oil.volume_mbd", exact.value, "total_trade", 2029) == \
        pytest.approx(100.0, abs=1e-6)
    assert abs(forward(baseline, "levers.oil.volume_mbd", printed, "total_trade", 2029)
               - 100.0) < 0.5
    assert 1.75 < printed < 10.0  # more than FY2024-25's 1.75 mb/d, inside the schema range


def test_lever_and_year_can_be_chosen(cli, baseline):
    code, out, _ = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching", "total_trade=100",
                       "--lever", "levers.oil.brent_usd", "--year", "2031-32")
    assert code == 3
    m = re.search(r"reaching 100 in FY2031-32 would take levers\.oil\.brent_usd "
                  r"\(Brent, US\$/bbl\) = (\d+\.?\d*)", out)
    assert m, out
    assert forward(baseline, "levers.oil.brent_usd", float(m.group(1)), "total_trade",
                   2031) == pytest.approx(100.0, abs=0.5)


def test_out_of_reach_says_so_with_closest(cli):
    code, out, _ = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching", "exports=100")
    assert code == 3
    assert "reaching 100 in FY2029-30 is out of reach with levers.oil.volume_mbd" in out
    assert "closest:" in out


def test_bad_year_or_lever_prints_nothing_exit_2(cli):
    for extra, key in ((("--year", "2060"),  "--year"), (("--lever", "levers.oil.bogus"),
                                                         "--lever")):
        code, out, err = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching",
                             "total_trade=100", *extra)
        assert code == 2 and out == "" and err.count("\n") == 1 and key in err


def test_reached_target_prints_only_the_year(cli):
    code, out, _ = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching", "total_trade=10")
    assert code == 0 and out.count("\n") == 1 and "first reaches 10 in FY" in out


def test_default_year_and_labels(baseline):
    assert default_seek_year(baseline) == 2029
    assert lever_label("levers.oil.volume_mbd") == "Russian crude to India, mb/d"
    assert lever_label("corridors.routes.instc.capacity_mt") == "India-Russia cargo capacity, Mt/yr"
    assert lever_label("levers.oil.nope") is None
