"""``tradesim data import``: TradeStat/Comtrade CSV -> HS tables, report, exit codes.

Fixtures in tests/fixtures (sources in tests/fixtures/README.md). The TradeStat fixture holds the
real EIDB HS-8 lines to Russia for chapters 03, 09 and 30; importing it must reproduce the shipped
table model/data/tables/exports_eidb.csv for those chapters exactly.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from model.data.importer import (
    flow_table,
    import_table,
    read_comtrade,
    read_tradestat,
)
from model.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
TRADESTAT = FIX / "tradestat_russia_exports_ch03_09_30.csv"
PLAIN = FIX / "tradestat_plain_report.csv"
COMTRADE = FIX / "comtrade_india_russia_monthly_ch03_09_30.csv"
MIRROR = FIX / "comtrade_legacy_russia_mirror_ch30.csv"
SHIPPED = ROOT / "model" / "data" / "tables" / "exports_eidb.csv"
CODES, YEARS = ("03", "09", "30", "3004"), ("2023-24", "2024-25")
KEY = ["direction", "fiscal_year", "months", "hs", "description", "value_usd_mn"]


def cli(argv: list[str]) -> int:
    from model.cli import main

    return main(argv)


def shipped_rows() -> pd.DataFrame:
    t = pd.read_csv(SHIPPED, dtype={"hs": str, "fiscal_year": str})
    t = t[t["hs"].isin(CODES) & t["fiscal_year"].isin(YEARS)]
    return t[KEY].sort_values(["fiscal_year", "hs"]).reset_index(drop=True)


def covered(table: pd.DataFrame) -> pd.DataFrame:
    t = table[table["hs"].isin(CODES) & table["fiscal_year"].isin(YEARS)]
    return t[KEY].sort_values(["fiscal_year", "hs"]).reset_index(drop=True)


# ------------------------------------------------------------------------------ (1) round trip
def test_tradestat_round_trip_reproduces_shipped_table():
    lines = read_tradestat(TRADESTAT)
    assert set(lines["partner"]) == {"RUSSIA"} and set(lines["direction"]) == {"export"}
    assert lines["hs"].str.len().eq(8).all() and lines["hs"].str[:2].isin(["03", "09", "30"]).all()
    table, report = import_table(lines, source="t")
    want = shipped_rows()
    assert len(want) == 8
    pd.testing.assert_frame_equal(covered(table), want, check_dtype=False)
    assert (table["value_usd_mn"].values == table["value_usd_mn"].round(2).values).all()
    assert report.empty  # nothing unmapped, no other partners
    flows = flow_table(table).set_index(["fiscal_year", "flow"])["value_usd_mn"]
    assert flows[("2024-25", "pharma")] == pytest.approx(9.61 + 374.59)


def test_cli_round_trip_writes_table_flows_and_report(tmp_path, capsys):
    out = tmp_path / "imp"
    assert cli(["data", "import", str(TRADESTAT), "--format", "tradestat", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["flows.csv", "hs_table.csv", "unmapped.csv"]
    table = pd.read_csv(out / "hs_table.csv", dtype={"hs": str})
    pd.testing.assert_frame_equal(covered(table), shipped_rows(), check_dtype=False)
    assert set(table["conf"]) == {"F"}
    assert table["source"].str.match(
        r"import:tradestat_russia_exports_ch03_09_30\.csv \(tradestat, imported \d{4}-\d\d-\d\d\)"
    ).all()
    flows = pd.read_csv(out / "flows.csv")
    assert {"direction", "fiscal_year", "flow", "value_usd_mn"} <= set(flows.columns)
    printed = capsys.readouterr().out
    assert "2024-25" in printed and "489.74" in printed  # mapped total of the file, FY2024-25
    # a second run refuses the non-empty directory unless --force
    assert cli(["data", "import", str(TRADESTAT), "--format", "tradestat", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli(["data", "import", str(TRADESTAT), "--format", "tradestat", "--out", str(out),
                "--force"]) == 0


def test_comtrade_fixture_round_trip_and_fiscal_years():
    """The Comtrade fixture re-expresses the same EIDB lines (HS-6, months of their fiscal year)."""
    lines = read_comtrade(COMTRADE)
    assert set(lines["hs_version"]) == {"2017"}  # classificationCode H5
    fy = dict(zip(lines["period"], lines["fiscal_year"]))
    assert fy["202403"] == "2023-24" and fy["202404"] == "2024-25" and fy["202503"] == "2024-25"
    assert set(lines["months"]) == {12}
    table, report = import_table(lines, source="t")
    pd.testing.assert_frame_equal(covered(table), shipped_rows(), check_dtype=False)
    assert report.empty


# ------------------------------------------------------------------------------ (2) the report
def test_unmappable_code_reported_with_line_and_other_partners_counted():
    lines = read_tradestat(PLAIN)
    table, report = import_table(lines)
    bad = report[report["kind"] == "unmapped"]
    assert list(bad["line"]) == [7, 7] and set(bad["hs"]) == {"300420190"}
    assert sorted(bad["value_usd_mn"]) == [1.88, 1.90]
    assert "malformed" in bad["reason"].iloc[0]
    assert not table["hs"].str.startswith("3004201").any()
    others = report[report["kind"] == "other_partner"]
    assert set(others["partner"]) == {"U S A", "KAZAKHSTAN"}
    assert others["lines"].sum() == 4  # two partners x two years
    usa = others[(others["partner"] == "U S A") & (others["fiscal_year"] == "2024-25")]
    assert usa["value_usd_mn"].item() == 4007.07  # thousands separator read
    # Russia's line is imported; the restored leading zero and the HS-2017 code are noted
    t = table.set_index(["fiscal_year", "hs"])["value_usd_mn"]
    assert t[("2024-25", "3004")] == 143.29 and t[("2023-24", "03")] == 1.44
    assert t[("2019-20", "851712")] == 106.89
    ver = report[report["kind"] == "hs_version"]
    assert ver["hs"].tolist() == ["85171210"] and "HS-2017" in ver["note"].item()
    assert "dropped or re-allocated" in ver["note"].item()
    assert report["note"].str.contains("leading zero restored").sum() == 2


def test_report_written_by_cli(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli(["data", "import", str(PLAIN), "--format", "tradestat", "--out", str(out)]) == 0
    rep = pd.read_csv(out / "unmapped.csv", dtype={"hs": str})
    assert (rep["kind"] == "unmapped").sum() == 2 and (rep["kind"] == "other_partner").sum() == 4
    assert "not mapped" in capsys.readouterr().out


# ------------------------------------------------------------------------------ (3) malformed
def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    return err


@pytest.mark.parametrize("edit, where", [
    (lambda s: s.replace("0.74,1.42,92.48", "0.74,1.4x2,92.48"), "line 20, column 5 (2024-2025)"),
    (lambda s: s.replace("09011112,", "0901-112,"), "line 20, column 2 (HSCode)"),
    (lambda s: s.replace("S.No.,HSCode,", "S.No.,Code,"), "line 1"),
])
def test_malformed_file_exit_2_with_file_line_column_nothing_written(tmp_path, capsys, edit,
                                                                     where):
    src = tmp_path / "bad.csv"
    src.write_text(edit(TRADESTAT.read_text()))
    out = tmp_path / "out"
    assert cli(["data", "import", str(src), "--format", "tradestat", "--out", str(out)]) == 2
    err = _one_line_error(capsys)
    assert str(src) in err and where in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]  # no temp dir left behind


def test_missing_required_comtrade_column(tmp_path, capsys):
    src = tmp_path / "c.csv"
    src.write_text(COMTRADE.read_text().replace("primaryValue", "someValue"))
    assert cli(["data", "import", str(src), "--format", "comtrade", "--out",
                str(tmp_path / "o")]) == 2
    err = _one_line_error(capsys)
    assert "primaryValue" in err and "line 1" in err and not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------ (4) not a file
def _run_with_timeout(argv: list[str], seconds: float = 10.0) -> int:
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(cli(argv)), daemon=True)
    t.start()
    t.join(seconds)
    assert result, "import blocked on a non-regular file"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_refused_quickly(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert _run_with_timeout(["data", "import", str(fifo), "--format", "tradestat", "--out",
                              str(tmp_path / "o")]) == 2
    assert "not a regular file" in _one_line_error(capsys)


def test_directory_missing_and_huge_files_refused(tmp_path, capsys):
    for path, msg in ((tmp_path, "is a directory"), (tmp_path / "nope.csv", "file not found")):
        assert _run_with_timeout(["data", "import", str(path), "--format", "comtrade", "--out",
                                  str(tmp_path / "o")]) == 2
        assert msg in _one_line_error(capsys)
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(201 * 1024 * 1024)  # sparse: nothing is actually written or read
    with pytest.raises(InputError, match="at most 200 MB"):
        read_tradestat(big)


# ------------------------------------------------------------------------------ (5) Comtrade months
HEADER = ("freqCode,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,"
          "partnerCode,partnerISO,partnerDesc,classificationCode,cmdCode,cmdDesc,primaryValue\n")


def _ct(rows: list[str], tmp_path: Path, name: str = "ct.csv") -> Path:
    """A synthetic Comtrade CSV (layout tests only; values are not data)."""
    p = tmp_path / name
    p.write_text(HEADER + "".join(r + "\n" for r in rows))
    return p


def test_monthly_periods_go_to_fiscal_years_with_months_counted(tmp_path):
    src = _ct(["M,2025,3,202503,699,IND,India,X,643,RUS,Russian Federation,H6,3004,med,1000000",
               "M,2025,4,202504,699,IND,India,X,643,RUS,Russian Federation,H6,3004,med,2000000",
               "M,2025,5,202505,699,IND,India,X,643,RUS,Russian Federation,H6,3004,med,3000000",
               "M,2025,5,202505,699,IND,India,M,643,RUS,Russian Federation,H6,2709,crude,"
               "4000000000",
               "M,2025,5,202505,699,IND,India,X,0,W00,World,H6,3004,med,9000000"], tmp_path)
    lines = read_comtrade(src)
    by = lines.set_index(["direction", "period"])
    assert by.loc[("export", "202503"), "fiscal_year"] == "2024-25"
    assert by.loc[("export", "202504"), "fiscal_year"] == "2025-26"
    table, report = import_table(lines)
    t = table.set_index(["direction", "fiscal_year", "hs"])
    assert t.loc[("export", "2024-25", "3004"), "months"] == 1
    assert t.loc[("export", "2025-26", "3004"), "months"] == 2
    assert t.loc[("export", "2025-26", "3004"), "value_usd_mn"] == 5.0
    assert t.loc[("import", "2025-26", "2709"), "value_usd_mn"] == 4000.0
    world = report[report["kind"] == "other_partner"]
    assert world["partner"].tolist() == ["World"] and world["value_usd_mn"].item() == 9.0


def test_annual_calendar_years_refused_unless_asked(tmp_path, capsys):
    src = _ct(["A,2024,52,2024,699,IND,India,X,643,RUS,Russian Federation,H6,3004,med,1000000"],
              tmp_path)
    assert cli(["data", "import", str(src), "--format", "comtrade", "--out",
                str(tmp_path / "o")]) == 2
    err = _one_line_error(capsys)
    assert "calendar" in err and "--calendar-as-fiscal" in err and "line 2" in err
    lines = read_comtrade(src, calendar_as_fiscal=True)
    assert lines["fiscal_year"].tolist() == ["2024-25"] and lines["months"].tolist() == [12]
    _, report = import_table(lines)
    assert report["note"].str.contains("calendar year 2024 taken as FY2024-25").any()


# ------------------------------------------------------------------------------ (6) mirror data
def test_mirror_fixture_flips_direction():
    """Legacy layout, reporter Russia: its imports from India are India's exports."""
    lines = read_comtrade(MIRROR)
    assert set(lines["direction"]) == {"export"} and set(lines["months"]) == {6}
    table, report = import_table(lines)
    t = table.set_index(["fiscal_year", "hs"])["value_usd_mn"]
    assert t[("2024-25", "3004")] == 374.59 and t[("2024-25", "30")] == 9.61
    assert report["note"].str.contains("mirror: reported by Russia").any()


def test_mirror_exports_are_india_imports_and_yield_to_india_own_lines(tmp_path):
    src = _ct(["M,2024,5,202405,643,RUS,Russian Federation,X,699,IND,India,H6,2709,crude,7000000",
               "M,2024,5,202405,643,RUS,Russian Federation,M,699,IND,India,H6,3004,med,2000000",
               "M,2024,5,202405,699,IND,India,X,643,RUS,Russian Federation,H6,3004,med,1000000",
               "M,2024,5,202405,643,RUS,Russian Federation,X,156,CHN,China,H6,2709,crude,5"],
              tmp_path)
    lines = read_comtrade(src)
    table, report = import_table(lines)
    t = table.set_index(["direction", "hs"])["value_usd_mn"]
    assert t[("import", "2709")] == 7.0  # Russia's export to India = India's import
    assert t[("export", "3004")] == 1.0  # India's own export line wins over the mirror
    dropped = report[report["kind"] == "mirror_dropped"]
    assert dropped["line"].tolist() == [3]
    assert (report["kind"] == "other_partner").sum() == 1  # Russia -> China is not counted


def test_nested_codes_not_counted_twice(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("Direction,Country,HSCode,Commodity,2024-2025\n"
                 "Export,RUSSIA,30,Pharma,400.00\nExport,RUSSIA,3004,Medicaments,374.59\n"
                 "Export,RUSSIA,30049099,Other medicaments,143.29\n")
    table, report = import_table(read_tradestat(p))
    t = table.set_index("hs")["value_usd_mn"]
    assert t["30"] == 25.41 and t["3004"] == 374.59 and t.sum() == pytest.approx(400.0)
    assert report["reason"].str.contains("only its remainder").sum() == 2


def test_direction_and_fiscal_year_options(tmp_path, capsys):
    p = tmp_path / "v.csv"
    p.write_text("Country,HSCode,Commodity,Value\nRUSSIA,2709,Crude,\"50,123.40\"\n"
                 "Russian Federation,1512,Sunflower oil,-\n")
    with pytest.raises(InputError, match="--direction"):
        read_tradestat(p, fiscal_year="2024-25")
    with pytest.raises(InputError, match="--fiscal-year"):
        read_tradestat(p, direction="import")
    assert cli(["data", "import", str(p), "--format", "tradestat", "--direction", "import",
                "--fiscal-year", "2024-25", "--out", str(tmp_path / "o")]) == 0
    table = pd.read_csv(tmp_path / "o" / "hs_table.csv", dtype={"hs": str})
    assert table[["direction", "fiscal_year", "hs", "value_usd_mn"]].values.tolist() == [
        ["import", "2024-25", "2709", 50123.4]]
    flows = pd.read_csv(tmp_path / "o" / "flows.csv")
    assert flows["flow"].tolist() == ["crude"]
