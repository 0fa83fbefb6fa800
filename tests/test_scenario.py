"""Scenario files: layering, strict validation, clear errors."""

import json

import pytest

import model

from model.errors import InputError
from model.scenario import deep_merge, json_schema, load_scenario, numeric_paths, with_values

from conftest import SCENARIOS, SHIPPED

BASE = 'extends = "baseline.toml"\n'


def test_deep_merge_merges_tables_and_replaces_values():
    a = {"levers": {"oil": {"start": 2025, "brent_usd": 70}, "lng": {"cap_mt": 5}}, "name": "a"}
    b = {"levers": {"oil": {"brent_usd": 90}}, "name": "b"}
    assert deep_merge(a, b) == {"levers": {"oil": {"start": 2025, "brent_usd": 90},
                                           "lng": {"cap_mt": 5}}, "name": "b"}


def test_extends_layers_three_deep(write_scenario):
    write_scenario(BASE + '[levers.fta]\nstart = 2027\neaeu_tariff_cut = 0.5\n', "mid.toml")
    top = write_scenario('extends = "mid.toml"\n[levers.fta]\nindia_tariff_cut = 0.4\n', "top.toml")
    sc = load_scenario(top)
    assert sc.name == "top"
    assert (sc.levers.fta.start, sc.levers.fta.eaeu_tariff_cut, sc.levers.fta.india_tariff_cut) == \
        (2027, 0.5, 0.4)
    assert sc.settings.horizon_end == 2034  # from baseline.toml


def test_fiscal_year_spellings_are_equivalent(write_scenario):
    a = load_scenario(write_scenario(BASE + '[levers.fta]\nstart = "FY2027-28"\n', "a.toml"))
    b = load_scenario(write_scenario(BASE + '[levers.fta]\nstart = 2027\n', "b.toml"))
    assert a.levers.fta.start == b.levers.fta.start == 2027


def test_scenario_is_frozen():
    sc = load_scenario(SCENARIOS / "baseline.toml")
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="frozen"):
        sc.levers.oil.sanctions_multiplier = 0.5


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_have_a_comment(path):
    sc = load_scenario(path)
    assert sc.name == path.stem
    assert path.read_text().startswith("#"), "each shipped scenario starts with a comment"


@pytest.mark.parametrize("text, key, words", [
    (BASE + "[levers.oil]\nvolum_mbd = 1.0\n", "levers.oil.volum_mbd", "did you mean 'volume_mbd'"),
    (BASE + "[levrs]\n", "levrs", "did you mean 'levers'"),
    (BASE + '[levers.oil]\nvolume_mbd = "lots"\n', "levers.oil.volume_mbd", "valid number"),
    (BASE + "[levers.oil]\nbrent_usd = nan\n", "levers.oil.brent_usd", "finite"),
    (BASE + "[levers.oil]\nbrent_usd = inf\n", "levers.oil.brent_usd", "finite"),
    (BASE + "[levers.oil]\nbrent_usd = true\n", "levers.oil.brent_usd", "valid number"),
    (BASE + "[flows.pharma]\ntariff = 10.5\n", "flows.pharma.tariff", "less than or equal to 10"),
    (BASE + "[levers.oil]\nvolume_mbd = -1.0\n", "levers.oil.volume_mbd", "greater than or equal to 0"),
    (BASE + "[levers.fta]\neaeu_tariff_cut = 1.5\n", "levers.fta.eaeu_tariff_cut", "less than or equal to 1"),
    (BASE + '[levers.fta]\nstart = 2028\nfull_effect = 2026\n', "levers.fta", "before it starts"),
    (BASE + '[levers.fta]\nstart = "2028-30"\n', "levers.fta.start", "not a fiscal year"),
    (BASE + "[levers.fta]\nstart = 2050\n", "levers.fta.start", "no later than"),
    (BASE + '[levers.oil]\nvolume_mbd = { "2040-41" = 1.0 }\n', "levers.oil.volume_mbd", "outside the horizon"),
    (BASE + "[levers.ntb]\ncut = { pharmaa = 0.5 }\n", "levers.ntb.cut", "did you mean 'pharma'"),
    (BASE + "[flows.crud]\nelasticity = 2.0\n", "flows", "did you mean 'crude'"),
    (BASE + "[levers.oil]\nvolume_mbd = 1.0\nshare_of_india_crude = 0.3\n", "levers.oil", "not both"),
    (BASE + '[corridors.routes.instc]\nmodes = ["container"]\ndays = 25.0\n'
            'freight_usd_per_t = { container = 192.5 }\ncapacity_mt = -1.0\n',
     "corridors.routes.instc.capacity_mt", "greater than 0"),
    (BASE + '[corridors.routes.nsr]\nmodes = ["bulk"]\ndays = 35.0\n'
            'freight_usd_per_t = { bulk = 35.0 }\nseason = [11, 7]\n', "corridors.routes.nsr",
     "before it starts"),
    (BASE + '[corridors.routes.x]\nmodes = ["rail"]\ndays = 5.0\nfreight_usd_per_t = {}\n',
     "corridors.routes.x.modes.0", "container"),
    (BASE + "[settings]\nhorizon_end = 2024\n", "settings.horizon_end", "after the base year"),
    (BASE + "name = \"bad name!\"\n", "name", "pattern"),
])
def test_bad_values_name_key_and_rule(write_scenario, text, key, words):
    path = write_scenario(text)
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert exc.value.key == key
    assert words in exc.value.message
    assert str(path) in exc.value.render()


@pytest.mark.parametrize("content, words", [
    (b"", "empty file"),
    (b"name = \n", "TOML syntax error"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"name = \"a\"\x00\x01\x02", "binary"),
])
def test_unreadable_files(tmp_path, content, words):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        load_scenario(path)


def test_missing_file_and_missing_parent(write_scenario, tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.toml")
    path = write_scenario('extends = "gone.toml"\n')
    with pytest.raises(InputError, match="gone.toml") as exc:
        load_scenario(path)
    assert exc.value.key == "extends"


def test_circular_extends(write_scenario):
    write_scenario('extends = "b.toml"\n', "a.toml")
    b = write_scenario('extends = "a.toml"\n', "b.toml")
    with pytest.raises(InputError, match="circular extends"):
        load_scenario(b)
    self_loop = write_scenario('extends = "self.toml"\n', "self.toml")
    with pytest.raises(InputError, match="circular"):
        load_scenario(self_loop)


def test_json_schema_is_valid_json_with_sections():
    schema = json.loads(json.dumps(json_schema()))
    assert {"levers", "corridors", "macro", "flows", "extends"} <= set(schema["properties"])
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)


def test_numeric_paths_and_with_values():
    import numpy as np

    sc = load_scenario(SCENARIOS / "baseline.toml")
    paths = numeric_paths(sc)
    for p in ("levers.oil.brent_usd", "levers.ntb.cut.pharma", "flows.marine.elasticity",
              "corridors.routes.instc.capacity_mt", "macro.india_gdp_growth"):
        assert p in paths
    new = with_values(sc, {"levers.oil.brent_usd": np.array([60.0, 90.0]),
                           "flows.marine.elasticity": 2.0})
    assert new.flows["marine"].elasticity == 2.0
    assert sc.flows == {}  # the original is untouched


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_pass_the_json_schema(path):
    import jsonschema

    from model.scenario import resolve_extends

    jsonschema.validate(resolve_extends(path), json_schema())


def test_partial_route_table_edits_the_default_route_and_keeps_the_others(write_scenario):
    sc = load_scenario(write_scenario(BASE + "[corridors.routes.instc]\ncapacity_mt = 0.5\n"))
    assert set(sc.corridors.routes) == {"suez", "instc", "chennai_vladivostok", "nsr"}
    assert sc.corridors.routes["instc"].capacity_mt == 0.5
    assert sc.corridors.routes["instc"].days == 25.0  # untouched keys keep their defaults


def test_key_with_a_newline_is_quoted_in_the_one_line_message():
    # found by Hypothesis: a regex `$` also matches before a trailing newline
    from model.scenario import validate

    with pytest.raises(InputError) as exc:
        validate({"name": "fuzz", "settings": {"A\n": 0.0}}, file="fuzz.toml")
    assert "\n" not in exc.value.render()
    assert exc.value.key == 'settings."A\\n"'


@pytest.mark.parametrize("end", ["2025-26", "2026-27"])
def test_short_horizon_runs_with_the_default_gdp_paths(write_scenario, cli, tmp_path, end):
    """Audit: a one- or two-year horizon the schema allows used to be refused because the
    schema's own default GDP paths (to FY2027-28) lay beyond it -- a key the user never wrote."""
    path = write_scenario(f'extends = "baseline.toml"\nname = "short"\n'
                          f'[settings]\nhorizon_end = "{end}"\n')
    sc = load_scenario(path)
    code, out, err = cli("run", path, "--out", tmp_path / "out", "--no-plots", "-q")
    assert code == 0, err
    summary = (tmp_path / "out" / "short" / "summary.csv").read_text().splitlines()
    assert summary[-1].startswith(end) and "nan" not in "".join(summary).lower()
    # the same numbers as the long run's first years (years after the horizon change nothing)
    long = model.run(SCENARIOS / "baseline.toml").summary
    short = model.run(sc).summary
    assert short["balance_usd_bn"].tolist() == long["balance_usd_bn"].tolist()[:len(short)]


def test_a_year_the_user_wrote_after_a_short_horizon_is_still_refused(write_scenario):
    path = write_scenario('extends = "baseline.toml"\nname = "short"\n[settings]\n'
                          'horizon_end = "2025-26"\n[macro]\nindia_gdp_growth = { "2027-28" = 0.05 }\n')
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.key == "macro.india_gdp_growth" and "outside the horizon" in err.value.message


@pytest.mark.parametrize("start", ["2040-41", "2020-21"])
def test_trigger_start_outside_the_horizon_is_refused(write_scenario, start):
    """Audit: a trigger's start outside the horizon was accepted and the trigger never acted;
    a lever's start there is refused (the check did not look inside [[triggers]])."""
    path = write_scenario(BASE + '[[triggers]]\nwhen = "balance < -40"\n'
                          'set = "levers.us_tariff.rate"\nvalue = 0.5\n' f'start = "{start}"\n')
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.key == "triggers.0.start" and "no later than 2034-35" in err.value.message


def test_the_value_given_is_shown_even_when_it_looks_like_part_of_the_bound(write_scenario):
    """Audit: `availability = 0.0` said only 'greater than or equal to 0.001': '0.0' is a
    substring of '0.001', so '(got 0.0)' was dropped as if the message already had it."""
    path = write_scenario(BASE + '[levers.rivals.x]\nsupplier = "China"\navailability = 0.0\n')
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.message.endswith("(got 0.0)"), err.value.message


def test_a_message_that_names_its_value_is_not_given_a_second_got(tmp_path):
    """A validator that says what it got (a trigger's threshold) is not followed by the whole
    input again: one '(got ...)' per message."""
    p = tmp_path / "t.toml"
    p.write_text('name = "t"\n[[triggers]]\nwhen = "oil.volume_mbd > nan"\n'
                 '[triggers.set]\n"levers.oil.volume_mbd" = 1.0\n')
    with pytest.raises(InputError) as e:
        load_scenario(p)
    text = str(e.value)
    assert "threshold must be finite (got 'nan')" in text
    assert text.count("(got ") == 1, text
