"""Issue 12: fuzzing at the command line. Hypothesis writes scenario *and* sweep files (random,
near-valid, typed wrongly, deep, wide, duplicated years, mutated text) to disk and runs them
through ``model.cli.main`` (the real parser, commands and file system). Every case ends in exit 0
(a result set that matches its manifest, nothing hidden left) or exit 2 (one line naming the
file, no traceback, the output directory unchanged) -- never 1. The number of cases that reached
the model is printed at the end of the test session (see conftest.py).

Default run: 2,000 cases (1,400 scenario files, 600 sweep files); ``-m slow`` runs 10x more.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import resultset
from model.cli import main

from conftest import SCENARIOS, fuzz_counts
from strategies import (allowed_range, fiscal_years, in_range_value, junk, nasty_floats, near_range_value,
                        sweepable, to_toml)
from test_fuzz import near_valid, random_trees

SCENARIO_CASES, SWEEP_CASES = 1400, 600
FAST = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
TMP = Path(tempfile.mkdtemp(prefix="tradesim-clifuzz-"))
OUT = TMP / "out"
SHORT = "2027-28"  # a short horizon keeps the cases that reach the model cheap
(TMP / "base.toml").write_text(f'name = "base"\n[settings]\nhorizon_end = "{SHORT}"\n')
OUTCOMES = ["balance:2026-27", "total_trade:2027-28", "year_100bn", "cumulative_deficit",
            "balanse:2026-27", "balance:2045-46"]


def state(root: Path) -> dict:
    """Every entry under ``root`` with its size, modification time and inode."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): (st.st_size, st.st_mtime_ns, st.st_ino)
            for p in root.rglob("*") for st in [p.lstat()]}


def run_cli(command: str, text: str, name: str) -> int:
    path = TMP / f"{name}.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = state(OUT)
    argv = [command, str(path), "--out", str(OUT), "--no-plots"]
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(argv)
    err_text = err.getvalue()
    kind = "scenario" if command == "run" else "sweep"
    fuzz_counts[f"{kind} cases"] += 1
    assert code in (0, 2), f"exit {code} for {text!r}:\n{err_text}"
    assert "Traceback" not in err_text + out.getvalue()
    if code == 2:
        last = err_text.strip().splitlines()[-1]
        assert last.startswith(f"tradesim {command}: error: ") and "\n" not in last
        assert path.name in last or "--" in last, last
        assert state(OUT) == before, f"exit 2 changed {OUT} for {text!r}"
    else:
        fuzz_counts[f"{kind} cases that reached the model"] += 1
        written = OUT / (name if command == "sweep" else _scenario_name(text))
        assert resultset.verify(written) == []
        assert [p.name for p in OUT.iterdir() if p.name.startswith(".")] == []
    return code


def _scenario_name(text: str) -> str:
    import tomllib

    return tomllib.loads(text).get("name", "fuzz")


# ------------------------------------------------------------------------------ scenarios
@st.composite
def deep(draw):
    tree: dict = {"name": "fuzz"}
    node = tree.setdefault("levers", {})
    for i in range(draw(st.integers(1, 60))):
        node = node.setdefault(draw(st.sampled_from(["oil", "x", str(i)])), {})
    node["brent_usd"] = draw(junk())
    return tree


@st.composite
def wide(draw):
    n = draw(st.integers(1, 400))
    table = draw(st.sampled_from(["", "levers.oil", "flows", "macro"]))
    keys = {f"k{i}": i for i in range(n)}
    tree: dict = {"name": "fuzz"}
    if table:
        node = tree
        for part in table.split("."):
            node = node.setdefault(part, {})
        node.update(keys)
    else:
        tree.update(keys)
    return tree


@st.composite
def duplicate_years(draw):
    year = draw(st.integers(2025, 2030))
    spellings = [year, str(year), f"{year}-{(year + 1) % 100:02d}", f"FY{year}-{(year + 1) % 100:02d}"]
    a, b = draw(st.lists(st.sampled_from(spellings), min_size=2, max_size=2, unique=True))
    return {"name": "fuzz", "settings": {"horizon_end": SHORT},
            "levers": {"oil": {"brent_usd": {a: 70.0, b: 80.0}}}}


@st.composite
def scenario_text(draw) -> str:
    tree = draw(st.one_of(near_valid(), near_valid(), random_trees, deep(), wide(),
                          duplicate_years()))
    if draw(st.integers(0, 9)) < 8 and isinstance(tree.get("settings", {}), dict):
        tree.setdefault("settings", {})["horizon_end"] = SHORT
    text = to_toml(tree)
    if draw(st.integers(0, 9)) == 0:  # a few characters cut or inserted
        pos = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 5))
        text = text[:pos] + draw(st.text("[]{}=\".,#\n 0-9a", max_size=4)) + text[pos + cut:]
    return text


@settings(FAST, max_examples=SCENARIO_CASES)
@given(scenario_text())
def test_scenario_files_at_the_command_line(text):
    run_cli("run", text, "fuzz")


# ------------------------------------------------------------------------------ sweeps
def loose_number():
    """A number, or a value of the wrong type (bool, string, table)."""
    return st.one_of(st.integers(-3, 70), nasty_floats(), st.booleans(),
                     st.sampled_from(["8", "1e3", ""]), st.just({"a": 1}))


def rarely(draw, k: int = 4) -> bool:
    """True about once in ``k + 1`` draws; Hypothesis shrinks towards the valid core."""
    return draw(st.integers(0, k)) == k


@st.composite
def parameter(draw, path: str):
    lo, hi = sorted([draw(in_range_value(path)), draw(in_range_value(path))])
    if lo == hi:  # a range inside the allowed one
        a, b, _ = allowed_range(path)
        a, b = max(a, -1e3), min(b, 1e3)
        lo, hi = a + (b - a) / 4, a + 3 * (b - a) / 4
    p: dict = {"low": lo, "high": hi}
    if rarely(draw):
        p["dist"] = draw(st.sampled_from(["triangular", "normal", "lognormal", "discrete",
                                          "gaussian"]))
    value = st.one_of(near_range_value(path).filter(lambda v: not isinstance(v, dict)),
                      loose_number())
    for key in draw(st.lists(st.sampled_from(["base", "swing", "low", "high", "mode", "mean",
                                              "sd", "median", "sigma", "choices", "lowe"]),
                             max_size=3, unique=True)) if rarely(draw, 2) else ():
        if key == "swing":
            p[key] = [draw(value), draw(value)]
        elif key == "choices":
            p[key] = draw(st.lists(value, min_size=1, max_size=3))
        elif key == "base":
            p[key] = draw(st.one_of(value, st.just("scenario")))
        else:
            p[key] = draw(value)
    return p


@st.composite
def sweep_tree(draw) -> dict:
    method = draw(st.sampled_from(["tornado", "grid", "montecarlo", "sobol", "morris", "latin"]))
    tree: dict = {"scenario": "nope.toml" if rarely(draw, 9) else "base.toml",
                  "method": method, "block_size": 16}
    if method in ("montecarlo", "sobol", "morris") or rarely(draw, 9):
        tree["n"] = draw(loose_number()) if rarely(draw) else draw(st.sampled_from([4, 8, 16]))
    if method == "grid":
        tree["grid"] = {"levels": draw(loose_number()) if rarely(draw) else 2}
    if rarely(draw):
        tree["seed"] = draw(loose_number())
    tree["outcomes"] = draw(st.lists(st.sampled_from(OUTCOMES[:4]), min_size=1, max_size=2,
                                     unique=True))
    if rarely(draw):
        tree["outcomes"] = draw(st.lists(st.sampled_from(OUTCOMES), max_size=2))
    paths = draw(st.lists(st.sampled_from(sweepable()), min_size=1, max_size=2, unique=True))
    tree["parameters"] = {p: draw(parameter(p)) for p in paths}
    if rarely(draw, 9):
        tree["parameters"][draw(st.sampled_from(["levers.oil.x", ""]))] = {"low": 0, "high": 1}
    if rarely(draw, 9):
        tree[draw(st.sampled_from(["sampler", "correlations", "evaluator", "nn"]))] = draw(junk())
    if rarely(draw, 9):
        tree["settings"] = {"horizon_end": draw(fiscal_years())}  # a scenario key: refused
    return tree


@settings(FAST, max_examples=SWEEP_CASES)
@given(sweep_tree())
def test_sweep_files_at_the_command_line(tree):
    run_cli("sweep", to_toml(tree), "fuzzsweep")


@pytest.mark.slow
@settings(FAST, max_examples=10 * SCENARIO_CASES)
@given(scenario_text())
def test_scenario_files_at_the_command_line_slow(text):
    run_cli("run", text, "fuzz")


@pytest.mark.slow
@settings(FAST, max_examples=10 * SWEEP_CASES)
@given(sweep_tree())
def test_sweep_files_at_the_command_line_slow(tree):
    run_cli("sweep", to_toml(tree), "fuzzsweep")


def test_default_command_line_budget():
    """At least 2,000 command-line cases in the default run (the issue's requirement)."""
    total = sum(t._hypothesis_internal_use_settings.max_examples for t in
                (test_scenario_files_at_the_command_line, test_sweep_files_at_the_command_line))
    assert total >= 2000, total
    assert os.fspath(TMP)
