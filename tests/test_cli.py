"""The command line end to end: outputs, exit codes, nothing written on bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from model.results import FLOW_COLUMNS, SUMMARY_COLUMNS

from conftest import ROOT, SCENARIOS

BASE = 'extends = "baseline.toml"\n'


def test_run_one_scenario_writes_design_outputs(cli, tmp_path):
    code, out, err = cli("run", SCENARIOS / "baseline.toml", "--out", tmp_path / "res")
    assert code == 0, err
    d = tmp_path / "res" / "baseline"
    assert {"summary.csv", "flows.csv", "routes.csv", "manifest.json", "trade_balance.png",
            "flows.png", "routes.png"} <= {p.name for p in d.iterdir()}
    summary = pd.read_csv(d / "summary.csv")
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary.loc[0, "fiscal_year"] == "2024-25"
    assert summary.loc[0, "balance_usd_bn"] == pytest.approx(-58.96, abs=1e-9)
    assert list(pd.read_csv(d / "flows.csv").columns) == FLOW_COLUMNS
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["version"]
    assert manifest["resolved_scenario"]["name"] == "baseline"
    assert len(manifest["data_sha256"]) == 64
    assert "summary.csv" in manifest["files"]
    assert "baseline: balance -58.96" in out
    assert not list((tmp_path / "res").glob(".*"))  # no temporary leftovers


def test_run_several_writes_comparison(cli, tmp_path):
    code, _, err = cli("run", SCENARIOS / "baseline.toml", SCENARIOS / "eaeu_fta.toml",
                       "--out", tmp_path, "--no-plots", "-q")
    assert code == 0, err
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == ["scenario", *SUMMARY_COLUMNS]
    assert set(table["scenario"]) == {"baseline", "eaeu_fta"}
    assert not (tmp_path / "comparison.png").exists()


def test_rerun_replaces_result_directory(cli, tmp_path):
    for _ in range(2):
        assert cli("run", SCENARIOS / "baseline.toml", "--out", tmp_path, "--no-plots", "-q")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline"]


@pytest.mark.parametrize("text", [
    BASE + "[levers.oil]\nvolum_mbd = 1.0\n",
    BASE + "[levers.oil]\nbrent_usd = nan\n",
    BASE + "[flows.pharma]\ntariff = 12.0\n",
    BASE + '[levers.fta]\nstart = 2028\nfull_effect = 2026\n',
    "name = \n",
    'extends = "test.toml"\n',
])
def test_bad_input_exit_2_one_line_nothing_written(cli, write_scenario, tmp_path, text):
    path = write_scenario(text)
    out = tmp_path / "results"
    code, stdout, err = cli("run", SCENARIOS / "baseline.toml", path, "--out", out)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(path) in err
    assert not out.exists()  # the good scenario listed first is not written either


def test_missing_file_exit_2(cli, tmp_path):
    code, _, err = cli("validate", tmp_path / "nope.toml")
    assert code == 2 and "file not found" in err


def test_duplicate_names_rejected(cli, write_scenario, tmp_path):
    a = write_scenario(BASE + 'name = "same"\n', "a.toml")
    b = write_scenario(BASE + 'name = "same"\n', "b.toml")
    code, _, err = cli("run", a, b, "--out", tmp_path / "o")
    assert code == 2 and "share the name" in err and not (tmp_path / "o").exists()


def test_validate_writes_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("validate", *sorted(SCENARIOS.glob("*.toml")))
    assert code == 0 and out.count(": ok") == len(list(SCENARIOS.glob("*.toml")))
    assert list(tmp_path.iterdir()) == []


def test_schema_and_data_commands(cli):
    code, out, _ = cli("schema")
    assert code == 0 and json.loads(out)["title"] == "tradesim scenario"
    code, out, _ = cli("data", "--section", "totals")
    assert code == 0 and "63.84" in out and "F-sec" in out


def test_python_dash_m_and_help():
    r = subprocess.run([sys.executable, "-m", "model", "--help"], capture_output=True, text=True,
                       cwd=ROOT, check=False)
    assert r.returncode == 0
    for command in ("run", "validate", "schema", "data"):
        assert command in r.stdout
    r = subprocess.run([sys.executable, "-m", "model", "run"], capture_output=True, text=True,
                       cwd=ROOT, check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_a_bug_exits_1_with_traceback(cli, monkeypatch):
    import model.commands.schema as schema_cmd

    def boom(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(schema_cmd, "main", boom)
    from model.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["schema"])
    args.func = boom
    from model import cli as cli_module

    monkeypatch.setattr(cli_module, "build_parser", lambda: _Fixed(parser, args))
    code, _, err = cli("schema")
    assert code == 1 and "internal error" in err and "RuntimeError" in err


class _Fixed:
    def __init__(self, parser, args):
        self.args = args

    def parse_args(self, argv):
        return self.args


@pytest.mark.parametrize("argv", [
    ("decompose", SCENARIOS / "eaeu_fta.toml", "--no-plots", "-q", "--out", "OUT"),
    ("paths",),
])
def test_default_baseline_found_from_any_directory(cli, tmp_path, monkeypatch, argv):
    """Audit: `decompose` (default --against) and `paths` (default scenario) looked for
    scenarios/baseline.toml under the current directory: exit 2 'file not found' elsewhere,
    while `backcast` finds its shipped default from anywhere."""
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*[str(tmp_path / "out") if a == "OUT" else a for a in argv])
    assert code == 0, err
    if argv[0] == "paths":
        assert "levers.oil.brent_usd" in out.split()
    else:
        assert (tmp_path / "out" / "eaeu_fta-vs-baseline" / "decomposition.csv").is_file()


def test_output_piped_into_a_closed_reader_is_not_a_bug():
    """Audit: `tradesim paths | head -3` printed a BrokenPipeError traceback and 'internal error
    (a bug)' (exit 1). A reader that stops early is not a bug: quiet, exit 141 (SIGPIPE)."""
    proc = subprocess.Popen([sys.executable, "-m", "model", "paths"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait() == 141 and "Traceback" not in err and "bug" not in err, err


def test_flows_csv_carries_status_and_confidence_label(cli, tmp_path):
    """Audit: labels (F/F-sec/D/R) and observed/nowcast/projection were in no output table;
    flows.csv now says, per row, the year's status and the label of the base-year value the
    flow rests on (its weakest basis in the dataset, as `tradesim data` lists it)."""
    from model.data import load_baseline

    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", tmp_path, "--no-plots", "-q")
    assert code == 0, err
    flows = pd.read_csv(tmp_path / "baseline" / "flows.csv")
    assert list(flows.columns) == FLOW_COLUMNS == ["fiscal_year", "direction", "flow",
                                                   "value_usd_bn", "status", "conf"]
    summary = pd.read_csv(tmp_path / "baseline" / "summary.csv").set_index("fiscal_year")
    assert (flows["status"] == flows["fiscal_year"].map(summary["status"])).all()
    base = load_baseline("fy2025-26")
    assert (flows["conf"] == flows["flow"].map(lambda f: base.flow(f).value.basis)).all()
    assert set(flows["conf"]) <= {"F", "F-sec", "D", "R"} and flows.notna().all().all()
