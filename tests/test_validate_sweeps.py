"""``tradesim validate`` accepts sweep files and checks them as ``tradesim sweep`` would."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.commands.validate import is_sweep_file

ROOT = Path(__file__).resolve().parent.parent
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
BASELINE = (ROOT / "scenarios" / "baseline.toml").as_posix()
OIL = f"""scenario = "{BASELINE}"
method = "montecarlo"
n = 64
outcomes = ["balance:2029-30"]
[parameters."levers.oil.brent_usd"]
low = 60.0
high = 90.0
"""
EXPECTED = {  # name, method, model runs (sobol: n (d + 2))
    "oil_lng_uncertainty": ("method montecarlo, sampler lhs", "20,000 samples"),
    "sobol_deficit_2030": ("method sobol", "20,480 samples (n = 2,048 base points)"),
    "tornado_all_levers": ("method tornado", "31 samples"),
    "ntb_ave_range": ("method montecarlo, sampler sobol", "1,024 samples"),
    "market_structure_range": ("method montecarlo, sampler sobol", "1,024 samples"),
    "us_diversion_range": ("method montecarlo, sampler sobol", "512 samples"),
    "backcast_market_range": ("method montecarlo, sampler sobol", "1,024 samples"),
}


def test_shipped_sweeps_validate(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written (results/ would appear here)
    code, out, err = cli("validate", *SWEEPS, ROOT / "scenarios" / "baseline.toml")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == len(SWEEPS) + 1
    for path, line in zip(SWEEPS, lines, strict=False):
        method, runs = EXPECTED[path.stem]
        assert line.startswith(f"{path}: ok (sweep '{path.stem}', {method}, {runs}, ")
    assert lines[-1].endswith("ok (scenario 'baseline', horizon to FY2034-35)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("oil.brent_usd", "oil.brent"), "did you mean 'levers.oil.brent_usd'"),
    (lambda t: t.replace("low = 60.0", "low = 95.0"), "low must be < high"),
    (lambda t: t.replace('"balance:2029-30"', '"balance:2050-51"'), "outside the horizon"),
    (lambda t: t.replace("montecarlo", "montecarl"), "must be 'grid'"),
    (lambda t: t.replace(BASELINE, "nowhere.toml"), "base scenario"),
    (lambda t: t.replace("outcomes", "outcome"), "did you mean 'outcomes'"),
    (lambda t: t.replace("n = 64", "n = 1_000_000_000_000\nsampler = \"random\""), "hours"),
])
def test_bad_sweep_is_one_line_exit_2(cli, tmp_path, edit, message):
    path = tmp_path / "bad_sweep.toml"
    path.write_text(edit(OIL))
    code, out, err = cli("validate", path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"tradesim validate: error: {path}") and message in err


def test_sweep_detected_by_content_not_location(tmp_path):
    sweep, scen, broken = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "c.toml"
    sweep.write_text(OIL)
    scen.write_text('extends = "baseline.toml"\nmethod = "x"\n')  # a scenario with a bad key
    broken.write_text("method = [")
    assert is_sweep_file(sweep)
    assert not is_sweep_file(scen) and not is_sweep_file(broken)
    assert not is_sweep_file(ROOT / "scenarios" / "baseline.toml")
    assert all(is_sweep_file(p) for p in SWEEPS)


def test_scenario_with_a_sweep_key_names_the_key(cli, write_scenario):
    path = write_scenario('extends = "baseline.toml"\nmethod = "sobol"\n')
    code, _, err = cli("validate", path)
    assert code == 2 and "method" in err and "unknown key" in err
