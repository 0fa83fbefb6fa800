"""``tradesim rerun``: a recorded result reproduces bit for bit, or the command says what differs."""

from __future__ import annotations

import json

import pytest

from model import __version__, resultset

from conftest import SCENARIOS


@pytest.fixture
def recorded(tmp_path, cli):
    code, _, err = cli("run", SCENARIOS / "eaeu_fta.toml", SCENARIOS / "us_tariffs_50.toml",
                       "--out", tmp_path / "res", "--seed", "7", "--no-plots", "-q")
    assert code == 0, err
    return tmp_path / "res"


@pytest.mark.parametrize("name", ["eaeu_fta", "us_tariffs_50"])
def test_rerun_reproduces(recorded, cli, name):
    code, out, err = cli("rerun", recorded / name / "manifest.json")
    assert code == 0, out + err
    tables = sorted(p.name for p in (recorded / name).glob("*.csv"))  # every table is compared
    assert {"summary.csv", "flows.csv", "routes.csv", "crude_bill.csv"} <= set(tables)
    assert out.strip() == f"{name}: reproduced (compared {len(tables)} tables: {', '.join(tables)})"


def test_rerun_accepts_the_directory_and_writes_identical_tables(recorded, cli, tmp_path):
    code, out, _ = cli("rerun", recorded / "eaeu_fta", "--out", tmp_path / "again")
    assert code == 0 and "reproduced" in out
    for table in ("summary.csv", "flows.csv", "routes.csv"):
        assert (tmp_path / "again" / "eaeu_fta" / table).read_bytes() == \
            (recorded / "eaeu_fta" / table).read_bytes()


def test_rerun_uses_the_recorded_seed(recorded, cli):
    manifest = json.loads((recorded / "eaeu_fta" / "manifest.json").read_text())
    assert manifest["seed"] == 7


def test_changed_number_is_named(recorded, cli):
    summary = recorded / "eaeu_fta" / "summary.csv"
    lines = summary.read_text().splitlines()
    cells = lines[5].split(",")
    cells[2] = "123.456"  # imports in the fifth projected year
    lines[5] = ",".join(cells)
    summary.write_text("\n".join(lines) + "\n")
    code, out, _ = cli("rerun", recorded / "eaeu_fta" / "manifest.json")
    assert code == 3
    assert "NOT reproduced" in out
    assert f"summary.csv [{cells[0]}, projection] imports_usd_bn: recorded 123.456" in out


def test_changed_inputs_are_named(recorded, cli):
    path = recorded / "eaeu_fta" / "manifest.json"
    m = json.loads(path.read_text())
    m["version"], m["data_sha256"], m["git_commit"] = "0.0.0-old", "0" * 64, "f" * 40
    m["resolved_scenario"]["levers"]["fta"]["eaeu_tariff_cut"] = 0.2  # the numbers change too
    path.write_text(json.dumps(m))
    code, out, _ = cli("rerun", path)
    assert code == 3
    assert f"package version: recorded 0.0.0-old, now {__version__}" in out
    assert "dataset fy2025-26 sha256: recorded 000000000000" in out
    assert "exports_usd_bn" in out


def test_inputs_differ_but_results_agree(recorded, cli):
    path = recorded / "eaeu_fta" / "manifest.json"
    m = json.loads(path.read_text())
    m["version"] = "0.0.0-old"
    path.write_text(json.dumps(m))
    code, out, _ = cli("rerun", path)
    assert code == 0
    assert "summary.csv; inputs differ but results agree: package version" in out


@pytest.mark.parametrize("mutate, key", [
    (lambda m: m.pop("resolved_scenario"), "resolved_scenario"),
    (lambda m: m["resolved_scenario"]["levers"]["oil"].update(volume_mbd=-1.0),
     "levers.oil.volume_mbd"),
    (lambda m: m.update(seed=-3), "seed"),
])
def test_bad_manifest_is_input_error(recorded, cli, mutate, key):
    path = recorded / "eaeu_fta" / "manifest.json"
    m = json.loads(path.read_text())
    mutate(m)
    path.write_text(json.dumps(m))
    code, _, err = cli("rerun", path)
    assert code == 2
    assert key in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_or_garbage_manifest(tmp_path, cli):
    code, _, err = cli("rerun", tmp_path / "nope" / "manifest.json")
    assert code == 2 and "file not found" in err
    (tmp_path / "manifest.json").write_bytes(b"\x00\xff not json")
    code, _, err = cli("rerun", tmp_path / "manifest.json")
    assert code == 2 and "manifest.json" in err


def test_a_malformed_table_is_exit_3_in_one_line(recorded, cli):
    (recorded / "eaeu_fta" / "routes.csv").write_bytes(b'a,b\n"unterminated\n1,2,3,4\n')
    code, out, err = cli("rerun", recorded / "eaeu_fta")
    assert code == 3 and "Traceback" not in out + err
    lines = [ln for ln in out.splitlines() if "routes.csv" in ln and "malformed" in ln]
    assert len(lines) == 1, out
    (recorded / "eaeu_fta" / "flows.csv").write_bytes(b"\xff\xfe\x00binary")
    code, out, _ = cli("rerun", recorded / "eaeu_fta")
    assert code == 3 and "flows.csv: malformed table" in out


def test_a_set_that_no_longer_matches_its_manifest_is_not_reproduced(recorded, cli):
    (recorded / "eaeu_fta" / "extra.csv").write_text("x\n1\n")
    code, out, _ = cli("rerun", recorded / "eaeu_fta")
    assert code == 3 and "recorded set: extra.csv: not listed in the manifest" in out


def test_nothing_compared_is_never_reproduced(recorded, cli):
    path = recorded / "eaeu_fta" / "manifest.json"
    m = json.loads(path.read_text())
    m.pop("sha256")
    m["files"] = ["manifest.json", "trade_balance.png"]
    path.write_text(json.dumps(m))
    code, out, _ = cli("rerun", path)
    assert code == 3 and "NOT reproduced: the manifest lists no table to compare" in out


def test_every_listed_table_is_compared(recorded, cli):
    """A corridor table listed in the manifest is compared even if this re-run has none."""
    d = recorded / "eaeu_fta"
    (d / "corridors.csv").write_text("route,transit_days_mean\nsuez,30\n")
    resultset.seal(d, resultset.read_manifest(d))
    code, out, _ = cli("rerun", d)
    assert code == 3 and "tables: corridors.csv, crude_bill.csv" in out
    assert "corridors.csv: recorded, but the re-run produces no such table" in out


@pytest.mark.slow
def test_corridor_outputs_are_compared(tmp_path, cli, write_scenario):
    sc = write_scenario('name = "des"\n[settings]\nhorizon_end = "2027-28"\n'
                        '[corridors]\nmodel = "des"\n')
    assert cli("run", sc, "--out", tmp_path / "o", "--no-plots", "-q")[0] == 0
    code, out, _ = cli("rerun", tmp_path / "o" / "des")
    assert code == 0 and "corridors.csv" in out and "corridor_stages.csv" in out
    table = tmp_path / "o" / "des" / "corridors.csv"
    lines = table.read_text().splitlines()
    cells = lines[1].split(",")
    cells[-1] = "999"
    table.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    code, out, _ = cli("rerun", tmp_path / "o" / "des")
    assert code == 3 and "corridors.csv [" in out and "recorded 999" in out
