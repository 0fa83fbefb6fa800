"""The bad-input corpus: every malformed scenario or sweep file ends in one clear line, exit 2.

Files live in ``tests/bad_inputs/{scenarios,sweeps}/``; ``tests/bad_inputs/cases.toml`` records
the key path and message each must produce. Each is run through the real CLI in-process.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from model.cli import main as cli_main

from conftest import TORNADO_SWEEP

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))
MIN_CASES = 40


def _params():
    for name, case in sorted(CASES.items()):
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=False)] if "xfail" in case else []
        yield pytest.param(name, case, id=name, marks=marks)


def test_corpus_is_complete():
    """Every corpus file has an expectation and every expectation a file; >= 40 of them."""
    files = {f"{p.parent.name}/{p.name}" for p in CORPUS.glob("*/*.*")}
    assert files == set(CASES)
    assert len(CASES) >= MIN_CASES
    assert {c["category"] for c in CASES.values()} >= {
        "syntax", "duplicate", "encoding_empty_binary", "unknown_key_or_name", "wrong_type",
        "out_of_range", "nan_inf", "extends_missing_file", "distribution", "correlation",
        "size_limit"}


def test_corpus_covers_the_issue_12_classes():
    """Issue 12: >= 120 files; the classes of its list that a bad input file can show."""
    assert len(CASES) >= 120
    classes = {c.get("issue_class", "validation") for c in CASES.values()}
    assert classes >= {"name_space", "validation", "environment", "atomic_sets", "rerun",
                       "found_by_cli_fuzz"}, classes


def _setup(kind: str, out: Path, tmp_path: Path) -> None:
    """Earlier results the bad input must leave byte-identical (``setup`` in cases.toml)."""
    scenarios = ROOT / "scenarios"
    if kind == "run":
        assert cli_main(["run", str(scenarios / "baseline.toml"), str(scenarios / "eaeu_fta.toml"),
                         "--out", str(out), "--no-plots", "-q"]) == 0
    elif kind.startswith("sweep:"):
        sweep = tmp_path / "setup_sweep.toml"
        sweep.write_text(TORNADO_SWEEP.format(name=kind.removeprefix("sweep:")))
        assert cli_main(["sweep", str(sweep), "--out", str(out), "--no-plots"]) == 0
    elif kind == "out_is_a_file":
        out.write_text("not a directory")
    else:
        raise AssertionError(kind)


def _snapshot(out: Path):
    if out.is_file():
        return out.read_bytes()
    return {p.relative_to(out).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(out.rglob("*"))} if out.exists() else None


@pytest.mark.parametrize(("name", "case"), list(_params()))
def test_bad_input(name, case, tmp_path, capsys):
    path = CORPUS / name
    out = tmp_path / "out"
    if "setup" in case:
        _setup(case["setup"], out, tmp_path)
        capsys.readouterr()
    before = _snapshot(out)
    if name.startswith("scenarios/"):
        argv = ["run", str(path), "--out", str(out), "--no-plots"]
    elif name.startswith("manifests/"):
        argv = ["rerun", str(path)]
    else:
        argv = ["sweep", str(path), "--out", str(out)]
    code = cli_main([*argv, *case.get("args", [])])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, f"exit {code}; stderr: {err}"
    assert "Traceback" not in err and "Traceback" not in captured.out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(f"tradesim {argv[0]}: error: ")
    if case.get("names") == "out":  # an environment error names the path at fault
        assert f"{out}: " in line, line
    else:
        assert path.suffix in line and (path.name in line or "bad_inputs" in line), line
    if "key" in case:
        assert f": {case['key']}: " in line, f"key {case['key']!r} not named in: {line}"
    elif case.get("names") != "out":
        assert path.name in line, line
    assert case["contains"] in line, line
    assert _snapshot(out) == before, f"{out} was changed"


def test_syntax_errors_give_line_and_column(capsys, tmp_path):
    """A TOML syntax error cannot name a key; it names the line and column instead."""
    for name, case in CASES.items():
        if case["category"] == "syntax":
            cli_main(["run" if name.startswith("scenarios/") else "sweep", str(CORPUS / name),
                      "--out", str(tmp_path / "o")])
            assert "(at line " in capsys.readouterr().err


def test_extends_error_in_parent_names_a_file(capsys, tmp_path):
    """A child whose parent is broken fails with the parent's key path, exit 2."""
    code = cli_main(["run", str(CORPUS / "scenarios/extends_bad_parent.toml"), "--out",
                     str(tmp_path / "o")])
    assert code == 2
    assert "levers.oil.volume_mbd" in capsys.readouterr().err


def test_utf8_bom_is_accepted(tmp_path, capsys):
    """Windows editors write a UTF-8 byte-order mark; it is not an error."""
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffname = \"bom\"\n".encode())
    code = cli_main(["run", str(path), "--out", str(tmp_path / "o"), "--no-plots", "-q"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "o" / "bom" / "summary.csv").exists()


def test_one_bad_file_among_good_writes_nothing(tmp_path, capsys):
    """All files are validated before anything is written."""
    good = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
    out = tmp_path / "out"
    code = cli_main(["run", str(good), str(CORPUS / "scenarios/nan_brent.toml"), "--out",
                     str(out), "--no-plots"])
    assert code == 2
    assert not out.exists()
    assert "nan_brent.toml" in capsys.readouterr().err
