"""Environment errors are the user's to fix: one line, exit 2, nothing written (issue 12 item 3)."""

from __future__ import annotations

from conftest import SCENARIOS


def test_out_that_is_a_file_is_exit_2(cli, tmp_path):
    out = tmp_path / "afile"
    out.write_text("x")
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", out, "--no-plots")
    assert code == 2 and "--out must be a directory" in err and "Traceback" not in err
    assert out.read_text() == "x"


def test_out_under_a_file_is_exit_2(cli, tmp_path):
    (tmp_path / "f").write_text("x")
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", tmp_path / "f" / "sub",
                       "--no-plots")
    assert code == 2 and "not a directory" in err.lower()


def test_a_name_too_long_for_the_file_system_is_refused_before_running(cli, tmp_path,
                                                                      write_scenario):
    path = write_scenario(f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "{"a" * 240}"\n')
    code, _, err = cli("run", path, "--out", tmp_path / "o", "--no-plots")
    assert code == 2 and ": name: " in err and "at most 200" in err
    assert not (tmp_path / "o").exists()


SWEEP = '''description = "x"
scenario = "{scenario}"
name = "baseline"
method = "montecarlo"
n = 16
seed = 1
outcomes = ["balance:2029-30"]
[parameters."levers.oil.brent_usd"]
low = 60.0
high = 90.0
'''


def test_a_sweep_and_a_run_of_one_name_do_not_replace_each_other(cli, tmp_path):
    """Issue 12 item 1: one name space under --out; colliding kinds are refused before running."""
    sweep = tmp_path / "s.toml"
    sweep.write_text(SWEEP.format(scenario=SCENARIOS / "baseline.toml"))
    out = tmp_path / "out"
    assert cli("run", SCENARIOS / "baseline.toml", "--out", out, "--no-plots", "-q")[0] == 0
    before = {p.name: p.read_bytes() for p in (out / "baseline").iterdir()}
    code, _, err = cli("sweep", sweep, "--out", out)
    assert code == 2 and "holds a run result" in err and "s.toml" in err
    assert {p.name: p.read_bytes() for p in (out / "baseline").iterdir()} == before
    out2 = tmp_path / "out2"
    assert cli("sweep", sweep, "--out", out2)[0] == 0
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", out2, "--no-plots")
    assert code == 2 and "holds a sweep result" in err
    assert cli("sweep", sweep, "--out", out2)[0] == 0  # the same kind may replace itself
    (out / "notes").mkdir()
    (out / "notes" / "mine.txt").write_text("keep")
    write = tmp_path / "notes.toml"
    write.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "notes"\n')
    code, _, err = cli("run", write, "--out", out, "--no-plots")
    assert code == 2 and "not a tradesim result" in err
    assert (out / "notes" / "mine.txt").read_text() == "keep"


def test_report_never_follows_a_name_out_of_the_results_directory(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", SCENARIOS / "baseline.toml", SCENARIOS / "eaeu_fta.toml", "--out", out,
               "--no-plots", "-q")[0] == 0
    table = out / "comparison.csv"
    good = table.read_bytes()
    table.write_text(table.read_text().replace("\neaeu_fta,", "\n../evil,"))
    # the edited table no longer matches its manifest: it is rebuilt from the committed
    # scenario sets the manifest names, never from names read out of the CSV
    code, _, err = cli("report", out)
    assert code == 0 and "rebuilt" in err
    assert table.read_bytes() == good
    assert not (tmp_path / "evil").exists() and (out / "report.md").exists()
    assert "../evil" not in (out / "report.md").read_text()
    # without its manifest, a hand-made table's names are filtered: only plain run sets count
    (out / "comparison.manifest.json").unlink()
    table.write_text(good.decode().replace("\neaeu_fta,", "\n../evil,"))
    assert cli("report", out)[0] == 2 and not (tmp_path / "evil").exists()
