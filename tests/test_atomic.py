"""Atomic results: an interrupted run leaves no summary.csv and no temp files; a re-run replaces
the previous result as a whole."""

from __future__ import annotations

import json

import pytest

import model.plots
import model.results

from conftest import SCENARIOS


def _everything(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.mark.parametrize("target", ["plots", "manifest"])
def test_interrupted_run_leaves_nothing(tmp_path, cli, monkeypatch, target):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    if target == "plots":
        monkeypatch.setattr(model.plots, "save_scenario_plots", boom)
    else:
        monkeypatch.setattr(model.results, "manifest", boom)
    out = tmp_path / "out"
    code, _, err = cli("run", SCENARIOS / "eaeu_fta.toml", "--out", out, "-q")
    assert code == 130 and "interrupted" in err
    assert not list(out.rglob("summary.csv"))
    assert _everything(out) == [], _everything(out)  # no temp directory or file either


def test_interrupted_rerun_keeps_the_previous_result_whole(tmp_path, cli, monkeypatch):
    out = tmp_path / "out"
    assert cli("run", SCENARIOS / "eaeu_fta.toml", "--out", out, "--no-plots", "-q")[0] == 0
    before = {p: (out / p).read_bytes() for p in _everything(out) if (out / p).is_file()}

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.results, "manifest", boom)
    code, _, _ = cli("run", SCENARIOS / "eaeu_fta.toml", "--out", out, "--no-plots", "-q",
                     "--seed", "5")
    assert code == 130
    after = {p: (out / p).read_bytes() for p in _everything(out) if (out / p).is_file()}
    assert after == before


def test_rerun_replaces_the_whole_directory(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("run", SCENARIOS / "eaeu_fta.toml", "--out", out, "--no-plots", "-q")[0] == 0
    (out / "eaeu_fta" / "stale.txt").write_text("from an older run")
    assert cli("run", SCENARIOS / "eaeu_fta.toml", "--out", out, "--no-plots", "-q",
               "--seed", "9")[0] == 0
    assert not (out / "eaeu_fta" / "stale.txt").exists()
    assert json.loads((out / "eaeu_fta" / "manifest.json").read_text())["seed"] == 9
    assert [p for p in _everything(out) if p.startswith(".")] == []


def test_interrupted_comparison_leaves_no_partial_file(tmp_path, cli, monkeypatch):
    def boom(df, path):
        path.write_text("partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(model.results, "write_csv", lambda df, path: boom(df, path)
                        if ".tmp" in str(path) and path.name == "comparison.csv"
                        else df.to_csv(path, index=False, float_format="%.10g"))
    out = tmp_path / "out"
    code, _, _ = cli("run", SCENARIOS / "eaeu_fta.toml", SCENARIOS / "lng_growth.toml",
                     "--out", out, "--no-plots", "-q")
    assert code == 130
    assert not (out / "comparison.csv").exists()
    assert [p for p in _everything(out) if ".tmp" in p] == []
