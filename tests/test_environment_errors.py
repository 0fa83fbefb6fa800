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
