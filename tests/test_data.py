"""The baseline dataset: official totals, provenance of every number."""

import copy
import tomllib
from importlib import resources

import pytest

from model.data import CONFIDENCE, DataError, load_baseline, parse_baseline


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(resources.files("model.data").joinpath("baseline.toml").read_text())


def test_flows_sum_to_official_totals():
    base = load_baseline()
    exports = sum(f.value.value for f in base.flows if f.direction == "export")
    imports = sum(f.value.value for f in base.flows if f.direction == "import")
    assert exports == pytest.approx(4.88, abs=1e-9)
    assert imports == pytest.approx(63.84, abs=1e-9)
    assert exports - imports == pytest.approx(-58.96, abs=1e-9)


def test_eight_to_twelve_flows_each_way():
    base = load_baseline()
    assert 8 <= len(base.names("export")) <= 12
    assert 8 <= len(base.names("import")) <= 12


def test_history_covers_fy2020_to_fy2024():
    base = load_baseline()
    assert [h["fiscal_year"] for h in base.history] == [2020, 2021, 2022, 2023, 2024]
    fy22 = base.history[1]
    assert fy22["exports"].value - fy22["imports"].value == pytest.approx(-6.62)


def test_every_number_has_source_and_label():
    records = load_baseline().records()
    assert len(records) > 100
    for r in records:
        assert r["conf"] in CONFIDENCE, r
        assert len(r["source"]) >= 3, r


def test_published_groups_are_labelled_found_and_residuals_derived():
    old = load_baseline("fy2024-25")
    assert old.flow("engineering").value.conf == "F-sec"
    assert old.flow("chemicals").value.conf == "R"
    base = load_baseline()
    # flows of the newest dataset are HS table sums: chapters found in the EIDB are F
    assert base.flow("chemicals").value.conf == "F"
    assert base.flow("pharma").value.value == pytest.approx((9.61 + 374.59) / 1e3)
    assert base.flow("other_exports").value.conf == "D"
    assert base.flow("coal").value.basis == "R"  # the one R split left, inside ch. 27


def test_r_share_under_ten_percent_each_way():
    from model.data.coverage import hs_coverage, label_shares

    shares = label_shares(load_baseline()).set_index("direction")["rests_on_r_pct"]
    assert shares["export"] < 10 and shares["import"] < 10
    cov = hs_coverage(load_baseline()).set_index(["direction", "fiscal_year"])["coverage_pct"]
    for d in ("export", "import"):
        for fy in ("2022-23", "2023-24", "2024-25"):
            assert cov[(d, fy)] >= 80, (d, fy)


@pytest.mark.parametrize("where", ["flow", "energy", "history"])
def test_removing_a_source_fails(raw, where):
    bad = copy.deepcopy(raw)
    if where == "flow":
        del bad["flow"][3]["elasticity"]["source"]
    elif where == "energy":
        bad["energy"]["brent_usd_bbl"]["source"] = ""
    else:
        bad["history"][0]["exports"] = 2.66  # a bare number, no provenance
    with pytest.raises(DataError):
        parse_baseline(bad)


def test_unknown_confidence_label_fails(raw):
    bad = copy.deepcopy(raw)
    bad["us"]["exempt_share"]["conf"] = "guess"
    with pytest.raises(DataError, match="conf"):
        parse_baseline(bad)


def test_flows_not_summing_to_total_fail(raw):
    bad = copy.deepcopy(raw)
    bad["flow"][0]["value"]["value"] += 0.01
    with pytest.raises(DataError, match="sum"):
        parse_baseline(bad)
