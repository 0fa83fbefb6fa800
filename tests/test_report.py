"""Reports: balanced_push against baseline renders with its plots, decomposition and sources."""

import re

import pandas as pd
import pytest

from model.report import to_html

from conftest import SCENARIOS, TORNADO_SWEEP


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    from model.cli import main

    out = tmp_path_factory.mktemp("rep")
    assert main(["run", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "balanced_push.toml"),
                 "--out", str(out), "--report", "-q"]) == 0
    return out


def test_run_report_links_existing_plots(pushed):
    d = pushed / "balanced_push"
    text = (d / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert {"trade_balance.png", "flows.png", "routes.png", "waterfall.png"} <= set(links)
    for link in links:
        assert (d / link).is_file() and (d / link).stat().st_size > 5_000
    assert (d / "report.html").read_text().count("<img") == len(links)


def test_run_report_content(pushed):
    d = pushed / "balanced_push"
    text = (d / "report.md").read_text()
    summary = pd.read_csv(d / "summary.csv").set_index("fiscal_year")
    for fy in ("2024-25", "2029-30", "2034-35"):
        assert fy in text
    assert f"| balance | -58.96 | {summary.loc['2029-30', 'balance_usd_bn']:.2f} |" in text
    assert "Shapley" in text and "| 2034-35 | fta |" in text
    assert "levers.fta.eaeu_tariff_cut | 0.9 | 0.0" in text  # assumptions vs baseline
    assert "DGCI&S" in text and "F-sec" in text  # baseline sources
    assert "Russia's rupee balance" in text
    dec = pd.read_csv(d / "decomposition.csv")
    assert set(dec.loc[dec["balance_change_usd_bn"] != 0, "group"]) == {"fta", "ntb", "corridors",
                                                                        "payments"}


def test_comparison_report(pushed):
    text = (pushed / "report.md").read_text()
    assert "![Scenarios compared](comparison.png)" in text and (pushed / "comparison.png").exists()
    assert "[balanced_push](balanced_push/report.md)" in text
    assert "No lever differs from baseline" in (pushed / "baseline" / "report.md").read_text()


def test_report_command_with_against(cli, pushed):
    code, out, err = cli("report", pushed / "balanced_push", "--against", SCENARIOS / "eaeu_fta.toml")
    assert code == 0, err
    text = (pushed / "balanced_push" / "report.md").read_text()
    assert "Reference: **eaeu_fta**" in text and "| 2034-35 | fta |" not in text  # FTA is shared


def test_report_bad_dir_exit_2(cli, tmp_path):
    code, _, err = cli("report", tmp_path / "missing")
    assert code == 2 and "not a directory" in err
    code, _, err = cli("report", tmp_path)
    assert code == 2 and "not a result directory" in err
    assert not list(tmp_path.iterdir())


def test_html_converter():
    html = to_html("# T\n\n| a | b |\n|---|---|\n| 1 | <x> |\n\n![p](p.png)\n- [r](r.md)\n")
    assert "<h1>T</h1>" in html and "<td>&lt;x&gt;</td>" in html
    assert '<img alt="p" src="p.png"' in html and '<a href="r.md">r</a>' in html


def test_report_names_what_kind_of_result_it_was_given(cli, tmp_path):
    """Audit: a sweep's or backcast's directory (which has a manifest.json) was refused with
    'not a result directory: expected manifest.json (a run)'."""
    sweep = tmp_path / "s.toml"
    sweep.write_text(TORNADO_SWEEP.format(name="tor"))
    assert cli("sweep", sweep, "--out", tmp_path / "o", "--no-plots")[0] == 0
    code, out, err = cli("report", tmp_path / "o" / "tor")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "a `tradesim sweep` result" in err and "expected manifest.json" not in err, err


def test_backcast_scenario_a_directory_says_so(cli, tmp_path):
    code, _, err = cli("backcast", "--scenario", tmp_path, "--out", tmp_path / "o")
    assert code == 2 and "is a directory" in err and "not found" not in err, err
