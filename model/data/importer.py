"""Read official trade CSVs (TradeStat/EIDB, UN Comtrade) into detailed HS lines and HS tables.

Pure functions, no printing: :func:`read_tradestat` and :func:`read_comtrade` return *detailed
lines*, :func:`import_table` turns them into the disjoint table rows of :mod:`model.data.hs` plus a
report of everything that was not imported, :func:`flow_table` groups table rows into the model's
flows, :func:`summarise` counts per direction and fiscal year. The command is
``tradesim data import`` (:mod:`model.commands._data_import`).

Detailed lines
--------------
One row per data line of the file: ``line`` (physical line in the file, 1-based), ``reporter``,
``partner``, ``direction`` (India's ``export``/``import``), ``fiscal_year`` (``"2024-25"``),
``period``, ``months`` (12 for a full fiscal year, else the months the file covers), ``hs``
(digits as text, leading zeros kept), ``description``, ``value_usd_mn``, ``hs_version`` (``"2017"``,
``"2022"``, ... or ``""`` if the file does not say) and ``note``. Lines of every partner are
returned; :func:`import_table` keeps Russia and counts the others in the report.

TradeStat layout (Commerce Ministry, Export Import Data Bank, tradestat.commerce.gov.in)
------------------------------------------------------------------------------------------
EIDB's reports are HTML tables; its "Excel" download is that table, which users save as CSV. The
columns accepted are those of the report tables as the public scraper ``tradestat-ingestor``
(dassoumyajitsenrysa-dataminer) parses them and as archived EIDB pages show them (e.g.
aidatabases/ICTD ``ExcelFiles/2008-10IndChinaImport.asp``, "Import :: Country-wise all
commodities"): ``S.No.``, ``HSCode``, ``Commodity``, one value column per fiscal year headed
``2023-2024`` (a partial year as ``2025-2026(Apr-Aug)``), optionally ``%Share`` after each year and
``%Growth`` (ignored), values in US$ million. Two variants are accepted:

* *Title lines* (the report as downloaded): lines above the header carry the report title, e.g.
  ``Export Import Data Bank`` / ``Export :: Country-wise all commodities`` / ``Country: RUSSIA`` /
  ``Values in US $ Million``. The direction is read from ``Export ::`` / ``Import ::`` (or a line
  naming only one of the two), the partner from ``Country:``. For "Commodity-wise all countries"
  the HS code comes from the title (``Commodity: 30041010 ...``) and the partner from a
  ``Country`` column; if a year heading repeats (value, then quantity block) the first is the value.
* *Plain header*: the first line is the header and ``Country`` and ``Direction`` are columns, so one
  file may hold several partners and both directions.

Both: a header row is the first row with an ``HSCode`` (or ``HS Code``, ``HSN Code``, ``ITC HS
Code``) column, or a ``Country`` column next to year columns. A single ``Value`` column (US$ mn)
with a ``Fiscal Year`` column or ``--fiscal-year`` is accepted too. Thousands separators are
removed; an empty cell, ``-`` or ``NA`` is "no trade" and the line is skipped for that year. Rows
without an HS code whose text says "Total" (EIDB's total rows) and rows without values (footnotes)
are skipped. Values in Rs crore or quantities are refused. A code of odd length (3, 5 or 7 digits)
is a code whose leading zero a spreadsheet dropped (HS codes have 2, 4, 6 or 8 digits); the zero is
restored and noted. A commodity description prefixed ``*`` is EIDB's mark for a code dropped or
re-allocated in the ITC-HS edition; it is noted.

Comtrade layout (UN Comtrade Plus API / bulk CSV, and the legacy Comtrade CSV)
-------------------------------------------------------------------------------
Current columns (``comtradeapicall``): ``freqCode``, ``refYear``, ``refMonth``, ``period``,
``reporterCode``/``reporterISO``/``reporterDesc``, ``flowCode`` (``X``/``M``; re-exports ``RX``,
re-imports ``RM`` and others are counted, not imported, since X and M already include them),
``partnerCode``/``partnerISO``/``partnerDesc``, ``classificationCode`` (``H5`` = HS2017, ``H6`` =
HS2022), ``cmdCode``, ``cmdDesc``, ``primaryValue`` (US$). Legacy columns: ``Classification``,
``Year``, ``Period``, ``Trade Flow`` (``Export``/``Import``), ``Trade Flow Code`` (2/1),
``Reporter``/``Reporter ISO``/``Reporter Code``, ``Partner``/``Partner ISO``/``Partner Code``,
``Commodity Code``, ``Commodity``, ``Trade Value (US$)``. Comma, semicolon or tab separated.

Reporter India (IND/699): X is India's export, M India's import. Reporter Russia (RUS/643) with
partner India is mirror data: Russia's X is India's import, Russia's M India's export (Russia
values imports CIF, India exports FOB); mirror lines are noted, and dropped in favour of India's
own lines where the file has both for the same direction and year. Monthly periods (``YYYYMM``)
go to India's fiscal year (April-March): 202503 is FY2024-25, 202504 FY2025-26; ``months`` counts
the months of that year the file holds for that direction. Annual data are calendar years, which
cannot be turned into a fiscal year: they are refused unless ``calendar_as_fiscal`` (calendar
year Y is then taken as FY Y-(Y+1), which shares 9 of its 12 months, and noted). ``cmdCode``
``TOTAL`` rows are aggregates and are counted, not imported. If a file lists a code and codes
under it (e.g. ``30`` and ``3004``), the parent counts only its remainder, so nothing is counted
twice.

Errors: a missing file, a directory, a FIFO/device or a file over 200 MB is refused before reading;
a missing required column, a value that is not a number, or an HS code with other characters than
digits raises :class:`~model.errors.InputError` naming the file, line and column. A code of digits
but the wrong length (not 2-8) is not an error of the file: it is reported as unmapped with its
line.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from model.data.hs import (
    CATCH_ALL,
    TABLE_COLUMNS,
    Concordance,
    aggregate,
    load_concordance,
)
from model.errors import InputError
from model.fiscal import fy_label

MAX_BYTES = 200 * 1024 * 1024
LINE_COLUMNS = ["line", "reporter", "partner", "direction", "fiscal_year", "period", "months",
                "hs", "description", "value_usd_mn", "hs_version", "note"]
REPORT_COLUMNS = ["kind", "line", "partner", "direction", "fiscal_year", "hs", "value_usd_mn",
                  "lines", "reason", "note"]
FLOW_COLUMNS = ["direction", "fiscal_year", "months", "flow", "value_usd_mn"]
RUSSIA = {"RUSSIA", "RUSSIAN FEDERATION", "RUS", "643", "RU", "RUSSIA FEDERATION"}
INDIA = {"INDIA", "IND", "699", "356", "IN"}
HS_EDITIONS = {"H0": "1992", "H1": "1996", "H2": "2002", "H3": "2007", "H4": "2012",
               "H5": "2017", "H6": "2022"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MISSING = {"", "-", "--", "–", "na", "n/a", "nan", "null", "none"}


def is_russia(name: object) -> bool:
    return re.sub(r"\s+", " ", str(name).strip().upper().replace(".", "")) in RUSSIA


def _is_india(name: object) -> bool:
    return str(name).strip().upper() in INDIA


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# ------------------------------------------------------------------------------ reading the file
def read_text(path: str | os.PathLike) -> str:
    """The file's text; refuses missing files, directories, FIFOs/devices and huge files unread."""
    from model.inputs import read_input_bytes

    p = Path(path)
    data = read_input_bytes(p, what="CSV", limit=MAX_BYTES,
                            hint=" (split the download by year or chapter)")
    if data[:4] == b"PK\x03\x04":
        raise InputError("is an Excel workbook or a zip archive; save it as CSV", file=str(p))
    if b"\x00" in data[:65536]:
        raise InputError("is a binary file (NUL bytes); expected a CSV text file", file=str(p))
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    if re.match(r"\s*<(!doctype|html|table|\?xml)", text[:200], re.IGNORECASE):
        raise InputError("is HTML, not CSV (EIDB's 'Excel' download is an HTML table): open it "
                         "in a spreadsheet and save it as CSV", file=str(p))
    return text


def _rows(text: str, delimiter: str, file: str) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` per CSV record (line of its first physical line)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, last = [], 0
    try:
        for cells in reader:
            out.append((last + 1, [c.strip() for c in cells]))
            last = reader.line_num
    except csv.Error as err:
        raise InputError(f"not a readable CSV file ({err})", file=file,
                         key=f"line {last + 1}") from None
    return out


def _value(raw: str, file: str, line: int, col: int, name: str) -> float | None:
    s = raw.strip().replace(",", "").replace(" ", "").replace("\u00a0", "").replace("$", "")
    if s.lower() in MISSING:
        return None
    try:
        v = float(s)
    except ValueError:
        raise InputError(f"not a number: {raw!r} (a value in US$ million; blank or '-' for none)",
                         file=file, key=f"line {line}, column {col} ({name})") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise InputError(f"not a finite number: {raw!r}", file=file,
                         key=f"line {line}, column {col} ({name})")
    if v < 0:
        raise InputError(f"negative trade value {raw!r}", file=file,
                         key=f"line {line}, column {col} ({name})")
    return v


def _code(raw: str, file: str, line: int, col: int, name: str) -> tuple[str, str]:
    """Cleaned HS code and a note; codes with non-digits raise, odd lengths get their zero back."""
    s = raw.strip().lstrip("'").replace(" ", "").replace("\u00a0", "")
    if not s.isdigit() or not s.isascii():
        if s == "":
            return "", ""
        raise InputError(f"bad HS code {raw!r}: digits expected (2 to 8)", file=file,
                         key=f"line {line}, column {col} ({name})")
    if len(s) in (3, 5, 7):
        return "0" + s, f"leading zero restored ({s} -> 0{s})"
    return s, ""


# ------------------------------------------------------------------------------ TradeStat
_FY = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-–/]\s*(\d{4}|\d{2})\s*"
                 r"(?:\((\w{3})\w*\s*[-–]\s*(\w{3})\w*\))?$", re.IGNORECASE)
_HS_NAMES = {"hscode", "hs", "hsncode", "hsn", "itchscode", "itchs", "hscodes", "hs8", "hscd"}
_DESC_NAMES = {"commodity", "description", "commoditydescription", "itemdescription"}
_COUNTRY_NAMES = {"country", "countryname", "partner", "partnercountry", "countryregion"}
_DIRECTION_NAMES = {"direction", "tradetype", "trade", "flow", "type", "exportimport"}
_VALUE_NAMES = {"value", "valueusdmn", "valueusmillion", "valueinusmillion", "usmillion",
                "valueusdmillion", "valueus"}
_FYCOL_NAMES = {"fiscalyear", "fy", "year", "financialyear"}


def _fy_header(name: str) -> tuple[str, int] | None:
    m = _FY.match(name.strip())
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    if int(end[-2:]) != (start + 1) % 100:
        return None
    months = 12
    if m.group(3):
        a, b = m.group(3).lower()[:3], m.group(4).lower()[:3]
        if a not in MONTHS or b not in MONTHS:
            return None
        months = (MONTHS.index(b) - MONTHS.index(a)) % 12 + 1
    return fy_label(start), months


def _direction_word(value: str) -> str | None:
    v = _norm(value)
    if v in ("export", "exports", "x", "e"):
        return "export"
    if v in ("import", "imports", "m", "i"):
        return "import"
    return None


def _is_tradestat_header(cells: list[str]) -> bool:
    names = {_norm(c) for c in cells}
    if names & _HS_NAMES:
        return True
    return bool(names & _COUNTRY_NAMES) and (any(_fy_header(c) for c in cells)
                                             or bool(names & _VALUE_NAMES))


def _find_table(text: str, file: str, is_header) -> tuple[list, int, list[str], list]:
    best = None
    for delim in (",", ";", "\t"):
        rows = _rows(text, delim, file)
        for i, (_, cells) in enumerate(rows[:60]):
            if len(cells) >= 2 and is_header(cells):
                return rows[:i], rows[i][0], cells, rows[i + 1:]
        best = best or rows
    return best or [], 0, [], []


def _title_info(title_rows: list) -> dict:
    text = "\n".join(" ".join(c for c in cells if c) for _, cells in title_rows)
    info: dict = {}
    low = re.sub(r"export\s+import\s+data\s*bank", "", text.lower())
    m = re.search(r"\b(export|import)s?\s*::", low)
    kinds = {m.group(1)} if m else set(re.findall(r"\b(export|import)s?\b", low))
    if len(kinds) == 1:
        info["direction"] = kinds.pop()
    m = re.search(r"^\s*country\s*(?:/\s*region)?\s*:\s*(?:&nbsp;)?\s*([^\n]+)", text,
                  re.IGNORECASE | re.MULTILINE)
    if m:
        info["country"] = m.group(1).replace("&nbsp;", " ").strip(" ,;")
    m = re.search(r"commodity\s*:\s*(\d{2,8})\s*([^\n]*?)\s*(?:unit\s*:.*)?$", text,
                  re.IGNORECASE | re.MULTILINE)
    if m:
        info["hs"], info["description"] = m.group(1), m.group(2).strip(" ,;")
    if re.search(r"crore|₹|\brs\.?\b|\binr\b|lakh", low):
        info["unit_error"] = "values in Rs crore/lakh; download the report in US $ Million"
    elif re.search(r"quantity", low) and not re.search(r"us\s*\$|usd|us\s+dollar", low):
        info["unit_error"] = "a quantity report; download the report in US $ Million"
    return info


def read_tradestat(path: str | os.PathLike, *, direction: str | None = None,
                   fiscal_year: str | None = None) -> pd.DataFrame:
    """Detailed lines from a TradeStat (EIDB) CSV; see the module docstring for the layout.

    ``direction`` and ``fiscal_year`` are for files that do not state them; if the file states
    them they select (a conflicting ``direction``, or a year the file lacks, is an error).
    """
    file = str(path)
    text = read_text(path)
    title, header_line, header, data = _find_table(text, file, _is_tradestat_header)
    if not header:
        raise InputError("no header row with an 'HSCode' column (or 'Country' and year columns) "
                         "found in the first 60 lines; is this a TradeStat (EIDB) CSV?",
                         file=file, key="line 1")
    info = _title_info(title)
    if "unit_error" in info:
        raise InputError(info["unit_error"], file=file, key=f"line {title[0][0] if title else 1}")
    names = [_norm(c) for c in header]

    def col(cands: set[str]) -> int | None:
        return next((i for i, n in enumerate(names) if n in cands), None)

    c_hs, c_desc = col(_HS_NAMES), col(_DESC_NAMES)
    c_country, c_dir = col(_COUNTRY_NAMES), col(_DIRECTION_NAMES)
    c_fy, c_value = col(_FYCOL_NAMES), col(_VALUE_NAMES)
    year_cols: list[tuple[int, str, int]] = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        fy = _fy_header(name)
        if fy and fy[0] not in seen:  # a repeated year heading is the quantity block
            seen.add(fy[0])
            year_cols.append((i, *fy))
    if c_hs is None and "hs" not in info:
        raise InputError("missing column 'HSCode' (and no 'Commodity: <code>' title line)",
                         file=file, key=f"line {header_line}")
    if not year_cols:
        if c_value is None:
            raise InputError("no value column: expected year columns like '2024-2025' or a "
                             "'Value' column (US$ million)", file=file, key=f"line {header_line}")
        if c_fy is None and fiscal_year is None:
            raise InputError("the file does not state the fiscal year: add a 'Fiscal Year' "
                             "column or give --fiscal-year (e.g. 2024-25)", file=file,
                             key=f"line {header_line}, column {c_value + 1} ({header[c_value]})")
    if fiscal_year is not None:
        fiscal_year = normalise_fy(fiscal_year, file)
        if year_cols:
            year_cols = [y for y in year_cols if y[1] == fiscal_year]
            if not year_cols:
                raise InputError(f"--fiscal-year {fiscal_year}: the file has no column for that "
                                 f"year", file=file, key=f"line {header_line}")
    if direction is not None and "direction" in info and info["direction"] != direction:
        raise InputError(f"the file is an {info['direction']} report but --direction "
                         f"{direction} was given", file=file, key="title lines")
    file_dir = info.get("direction") or direction
    if c_dir is None and file_dir is None:
        raise InputError("the file does not state the direction (no 'Direction' column or "
                         "'Export ::'/'Import ::' title line): give --direction export|import",
                         file=file, key=f"line {header_line}")
    if c_country is None and "country" not in info:
        raise InputError("the file does not name the partner: expected a 'Country' column or a "
                         "'Country: ...' title line", file=file, key=f"line {header_line}")

    out = []
    for line, cells in data:
        if not any(cells):
            continue
        need = max(i for i in (c_hs, c_desc, c_country, c_dir, c_fy, c_value,
                               *(y[0] for y in year_cols)) if i is not None)
        texts = " ".join(cells).lower()
        raw_hs = cells[c_hs] if c_hs is not None and c_hs < len(cells) else ""
        if not raw_hs.strip() and c_hs is not None and ("total" in texts or "*" in texts[:3]
                                                        or not _any_number(cells, year_cols,
                                                                           c_value)):
            continue  # total rows, footnotes
        if len(cells) <= need:
            missing = header[len(cells)] if len(cells) < len(header) else "?"
            raise InputError(f"row has {len(cells)} cells, the header {len(header)}",
                             file=file, key=f"line {line}, column {len(cells) + 1} ({missing})")
        if c_hs is not None:
            hs, note = _code(raw_hs, file, line, c_hs + 1, header[c_hs])
        else:
            hs, note = info["hs"], ""
        desc = cells[c_desc] if c_desc is not None else info.get("description", "")
        if desc.startswith("*"):
            note = "; ".join(filter(None, [note, "EIDB '*': code dropped or re-allocated in the "
                                                 "ITC-HS edition"]))
            desc = desc.lstrip("* ")
        if c_dir is not None:
            d = _direction_word(cells[c_dir])
            if d is None:
                raise InputError(f"direction {cells[c_dir]!r}: expected export or import",
                                 file=file, key=f"line {line}, column {c_dir + 1} "
                                               f"({header[c_dir]})")
            if direction is not None and d != direction:
                continue
        else:
            d = file_dir
        partner = cells[c_country] if c_country is not None else info["country"]
        if year_cols:
            values = [(fy, months, fy, _value(cells[i], file, line, i + 1, header[i]))
                      for i, fy, months in year_cols]
        else:
            fy = fiscal_year
            if c_fy is not None:
                fy = normalise_fy(cells[c_fy], file, key=f"line {line}, column {c_fy + 1} "
                                                         f"({header[c_fy]})")
                if fiscal_year is not None and fy != fiscal_year:
                    continue
            values = [(fy, 12, fy, _value(cells[c_value], file, line, c_value + 1,
                                          header[c_value]))]
        for fy, months, period, v in values:
            if v is None or v == 0:
                continue
            out.append((line, "India", partner, d, fy, period, months, hs, desc, v, "", note))
    return pd.DataFrame(out, columns=LINE_COLUMNS)


def _any_number(cells: list[str], year_cols: list, c_value: int | None) -> bool:
    idx = [y[0] for y in year_cols] + ([c_value] if c_value is not None else [])
    for i in idx:
        if i < len(cells) and cells[i].strip().replace(",", "").lower() not in MISSING:
            return True
    return False


def normalise_fy(value: str, file: str | None = None, key: str | None = None) -> str:
    """``'2024-25'``, ``'2024-2025'``, ``'FY2024-25'`` -> ``'2024-25'``."""
    fy = _fy_header(str(value).strip())
    if fy is None or fy[1] != 12:
        raise InputError(f"fiscal year {value!r}: expected e.g. 2024-25", file=file,
                         key=key or "--fiscal-year")
    return fy[0]


# ------------------------------------------------------------------------------ Comtrade
_CT = {  # role -> accepted normalised column names, current layout first
    "period": ["period"], "year": ["refyear", "year"], "month": ["refmonth"],
    "freq": ["freqcode"],
    "reporter_iso": ["reporteriso"], "reporter_code": ["reportercode"],
    "reporter": ["reporterdesc", "reporter"],
    "partner_iso": ["partneriso"], "partner_code": ["partnercode"],
    "partner": ["partnerdesc", "partner"],
    "flow_code": ["flowcode"], "flow": ["flowdesc", "tradeflow"], "flow_num": ["tradeflowcode"],
    "hs": ["cmdcode", "commoditycode"], "description": ["cmddesc", "commodity"],
    "classification": ["classificationcode", "classification"],
    "value": ["primaryvalue", "tradevalueus", "tradevalue", "tradevalueusd"],
}


def _is_comtrade_header(cells: list[str]) -> bool:
    names = {_norm(c) for c in cells}
    return bool(names & {"cmdcode", "commoditycode"})


def read_comtrade(path: str | os.PathLike, *, calendar_as_fiscal: bool = False) -> pd.DataFrame:
    """Detailed lines from a UN Comtrade CSV (current or legacy columns); see the module docstring.

    Monthly periods go to India's fiscal years; annual (calendar-year) data are refused unless
    ``calendar_as_fiscal``.
    """
    file = str(path)
    text = read_text(path)
    title, header_line, header, data = _find_table(text, file, _is_comtrade_header)
    if not header:
        raise InputError("no header row with 'cmdCode' (or 'Commodity Code'); is this a UN "
                         "Comtrade CSV?", file=file, key="line 1")
    names = [_norm(c) for c in header]
    cols: dict[str, int] = {}
    for role, cands in _CT.items():
        for cand in cands:
            if cand in names:
                cols[role] = names.index(cand)
                break

    def need(role: str, what: str) -> None:
        if role not in cols:
            raise InputError(f"missing column {what}", file=file, key=f"line {header_line}")

    need("value", "'primaryValue' (or 'Trade Value (US$)')")
    if "period" not in cols and "year" not in cols:
        need("period", "'period' (or 'refYear'/'Year')")
    if not {"flow_code", "flow", "flow_num"} & cols.keys():
        need("flow_code", "'flowCode' (or 'Trade Flow')")
    if not {"reporter_iso", "reporter_code", "reporter"} & cols.keys():
        need("reporter_iso", "'reporterISO' (or 'reporterCode', 'Reporter')")
    if not {"partner_iso", "partner_code", "partner"} & cols.keys():
        need("partner_iso", "'partnerISO' (or 'partnerCode', 'Partner')")

    def cell(cells: list[str], role: str) -> str:
        i = cols.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    def key(line: int, role: str) -> str:
        i = cols[role]
        return f"line {line}, column {i + 1} ({header[i]})"

    rows = []
    for line, cells in data:
        if not any(cells):
            continue
        if len(cells) < len(header) and len(cells) <= max(cols.values()):
            raise InputError(f"row has {len(cells)} cells, the header {len(header)}", file=file,
                             key=f"line {line}, column {len(cells) + 1}")
        who = [cell(cells, r) for r in ("reporter_iso", "reporter_code", "reporter")]
        partner_ids = [cell(cells, r) for r in ("partner_iso", "partner_code", "partner")]
        reporter = cell(cells, "reporter") or next((w for w in who if w), "?")
        partner = cell(cells, "partner") or next((w for w in partner_ids if w), "?")
        flow = _comtrade_flow(cell(cells, "flow_code"), cell(cells, "flow"),
                              cell(cells, "flow_num"))
        period, fy, month = _comtrade_period(cell(cells, "period"), cell(cells, "year"),
                                             cell(cells, "month"), calendar_as_fiscal, file,
                                             key(line, "period" if "period" in cols else "year"))
        v = _value(cell(cells, "value"), file, line, cols["value"] + 1, header[cols["value"]])
        raw_hs = cell(cells, "hs")
        note = ""
        if raw_hs.strip().upper() in ("TOTAL", "ALL", "AG2", "AG4", "AG6"):
            hs = raw_hs.strip().upper()
        else:
            if not raw_hs.strip():
                raise InputError("empty commodity code", file=file, key=key(line, "hs"))
            hs, note = _code(raw_hs, file, line, cols["hs"] + 1, header[cols["hs"]])
        version = HS_EDITIONS.get(cell(cells, "classification").strip().upper(), "")
        rows.append(dict(line=line, reporter=reporter, partner=partner,
                         india=any(_is_india(w) for w in who),
                         russia=any(is_russia(w) for w in who),
                         partner_india=any(_is_india(w) for w in partner_ids),
                         partner_russia=any(is_russia(w) for w in partner_ids),
                         flow=flow, period=period, fiscal_year=fy, month=month, hs=hs,
                         description=cell(cells, "description"), value=v, hs_version=version,
                         note=note))
    for r in rows:
        if r["flow"] not in ("X", "M"):
            d = ""
            partner = f"{r['partner']} (flow {r['flow'] or '?'}, reported by {r['reporter']})"
        elif r["india"]:
            d, partner = ("export" if r["flow"] == "X" else "import"), r["partner"]
        elif r["russia"] and r["partner_india"]:
            d, partner = ("import" if r["flow"] == "X" else "export"), r["reporter"]
            r["note"] = _join(r["note"], "mirror: reported by Russia (its exports = India's "
                                         "imports; its imports, valued CIF, = India's exports)")
        else:
            d, partner = "", f"{r['partner']} (reported by {r['reporter']})"
        if r["month"] == 0:
            r["note"] = _join(r["note"], f"calendar year {r['period']} taken as "
                                         f"FY{r['fiscal_year']}")
        r["direction"], r["partner_out"] = d, partner
    lines = pd.DataFrame([
        (r["line"], "Russia" if r["russia"] else ("India" if r["india"] else r["reporter"]),
         r["partner_out"], r["direction"], r["fiscal_year"], r["period"], 12, r["hs"],
         r["description"], None if r["value"] is None else r["value"] / 1e6, r["hs_version"],
         r["note"]) for r in rows], columns=LINE_COLUMNS)
    # months: distinct months of each (direction, fiscal year) the file holds
    monthly = pd.DataFrame({"direction": lines["direction"], "fiscal_year": lines["fiscal_year"],
                            "month": [r["month"] for r in rows]})
    if len(lines):
        counts = (monthly[monthly["month"] > 0].groupby(["direction", "fiscal_year"])["month"]
                  .nunique())
        lines["months"] = [int(counts.get((d, fy), 12)) if m > 0 else 12
                           for d, fy, m in zip(lines["direction"], lines["fiscal_year"],
                                               monthly["month"])]
    lines = lines[lines["value_usd_mn"].notna() & (lines["value_usd_mn"] != 0)]
    return lines.reset_index(drop=True)


def _comtrade_flow(code: str, desc: str, num: str) -> str:
    c = code.strip().upper()
    if c:
        return c
    d = _norm(desc)
    if d in ("export", "exports"):
        return "X"
    if d in ("import", "imports"):
        return "M"
    if d:
        return {"reexport": "RX", "reexports": "RX", "reimport": "RM",
                "reimports": "RM"}.get(d, desc.strip())
    return {"1": "M", "2": "X", "3": "RX", "4": "RM"}.get(num.strip(), num.strip())


def _comtrade_period(period: str, year: str, month: str, calendar_as_fiscal: bool, file: str,
                     key: str) -> tuple[str, str, int]:
    """``(period, fiscal year, month)``; month 0 for an annual period (calendar year)."""
    p = period.strip()
    if not p and year.strip():
        m = month.strip()
        p = f"{year.strip()}{int(m):02d}" if m.isdigit() and 1 <= int(m) <= 12 else year.strip()
    if p.endswith(".0"):
        p = p[:-2]
    if re.fullmatch(r"\d{6}", p):
        y, m = int(p[:4]), int(p[4:])
        if not 1 <= m <= 12:
            raise InputError(f"period {period!r}: month {m} is not 01-12", file=file, key=key)
        return p, fy_label(y if m >= 4 else y - 1), m
    if re.fullmatch(r"\d{4}", p):
        if not calendar_as_fiscal:
            raise InputError(f"annual data (period {p} is the calendar year Jan-Dec) cannot be "
                             "assigned to an Indian fiscal year (Apr-Mar): download monthly data "
                             "(frequency M) or pass --calendar-as-fiscal to take calendar year Y "
                             "as FY Y-(Y+1)", file=file, key=key)
        return p, fy_label(int(p)), 0
    raise InputError(f"period {period or year!r}: expected YYYYMM (monthly) or YYYY", file=file,
                     key=key)


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


# ------------------------------------------------------------------------------ to HS tables
def import_table(lines: pd.DataFrame, *, source: str = "import", conf: str = "F",
                 concordance: Concordance | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Detailed lines -> (table rows in :data:`~model.data.hs.TABLE_COLUMNS`, report).

    Keeps lines whose partner is Russia; a line of another partner, reporter or flow is counted
    in the report (one row per partner, direction and year) and not imported. A code that is not
    2-8 digits, or whose direction has no concordance row, is reported with its line and value
    and left out of the table. Codes the concordance maps with an HS-edition-specific row
    (``hs_version`` 2017 or 2022) are reported in the note column, as are the lines' own notes
    (restored leading zeros, EIDB '*' codes, mirror data, calendar years taken as fiscal).
    """
    conc = concordance or load_concordance()
    lines = lines.copy()
    for c in LINE_COLUMNS:
        if c not in lines:
            lines[c] = {"months": 12, "line": 0, "reporter": "India", "partner": "Russia",
                        "hs_version": "", "note": "", "description": "",
                        "period": None}.get(c, "")
    lines["hs"] = lines["hs"].astype(str)
    lines["period"] = lines["period"].where(lines["period"].notna(), lines["fiscal_year"])
    report: list[dict] = []

    def rep(kind: str, reason: str, row=None, **kw) -> None:
        r = {c: "" for c in REPORT_COLUMNS}
        if row is not None:
            r.update(line=row.line, partner=row.partner, direction=row.direction,
                     fiscal_year=row.fiscal_year, hs=row.hs, value_usd_mn=row.value_usd_mn,
                     lines=1)
        r.update(kind=kind, reason=reason, **kw)
        report.append(r)

    russia = lines["partner"].map(is_russia) & lines["direction"].isin(["export", "import"])
    others = lines[~russia]
    if len(others):
        g = (others.groupby(["partner", "direction", "fiscal_year"], dropna=False, sort=True)
             .agg(value_usd_mn=("value_usd_mn", "sum"), lines=("line", "size"),
                  first=("line", "min")).reset_index())
        for r in g.itertuples():
            rep("other_partner", "partner is not Russia (or not India-Russia trade): not imported",
                partner=r.partner, direction=r.direction, fiscal_year=r.fiscal_year,
                value_usd_mn=round(r.value_usd_mn, 6), lines=r.lines, line=r.first)
    kept = lines[russia].copy()
    # mirror lines (reported by Russia) give way to India's own lines for the same direction/year
    india_keys = set(zip(*[kept.loc[kept["reporter"] == "India", c]
                           for c in ("direction", "fiscal_year")]))
    dup = (kept["reporter"] == "Russia") & pd.Series(
        [k in india_keys for k in zip(kept["direction"], kept["fiscal_year"])], index=kept.index,
        dtype=bool)
    for r in kept[dup].itertuples():
        rep("mirror_dropped", "mirror line (reported by Russia) where India's own lines exist for "
            "the same direction and year: not imported", r)
    kept = kept[~dup]
    mapped_rows = []
    for r in kept.itertuples():
        if r.hs.upper() in ("TOTAL", "ALL", "AG2", "AG4", "AG6"):
            rep("aggregate", f"aggregate row ({r.hs}), not an HS code: not imported", r)
            continue
        if not (r.hs.isdigit() and 2 <= len(r.hs) <= 8):
            why = ("no HS code" if not r.hs
                   else f"malformed HS code ({len(r.hs)} digits, 2-8 expected)")
            rep("unmapped", why, r, note=r.note)
            continue
        flow = conc.flow(r.direction, r.hs)
        if flow is None:
            rep("unmapped", f"no concordance row for direction {r.direction}", r, note=r.note)
            continue
        version = _concordance_version(conc, r.direction, r.hs)
        if version not in ("", "all"):
            if r.hs_version and r.hs_version != version:
                msg = (f"concordance row is HS-{version} only but the file is HS-{r.hs_version}: "
                       "check the code's meaning")
            elif r.hs_version:
                msg = f"HS-{version} code (file HS-{r.hs_version}): mapped"
            else:
                msg = (f"concordance row is HS-{version} only; the file does not state its HS "
                       "edition: check the code's meaning")
            rep("hs_version", "mapped; HS-edition-specific concordance row", r,
                note=_join(msg, r.note))
        elif r.note:
            rep("note", "mapped", r, note=r.note)
        mapped_rows.append(r.Index)
    mapped = _net_of_subcodes(kept.loc[mapped_rows], rep)
    if len(mapped):
        table = aggregate(mapped[["direction", "fiscal_year", "months", "hs", "value_usd_mn"]],
                          conf=conf, source=source, concordance=conc)
    else:
        table = pd.DataFrame(columns=TABLE_COLUMNS)
    out = pd.DataFrame(report, columns=REPORT_COLUMNS)
    is_note = out["kind"] == "note"
    if is_note.sum() > 1:  # identical notes (mirror, calendar year) -> one row per direction/year
        keys = ["kind", "partner", "direction", "fiscal_year", "reason", "note"]
        notes = (out[is_note].groupby(keys, sort=False, dropna=False)
                 .agg(line=("line", "min"), lines=("lines", "sum"),
                      value_usd_mn=("value_usd_mn", "sum"), hs=("hs", _codes)).reset_index())
        notes["value_usd_mn"] = notes["value_usd_mn"].astype(float).round(6)
        out = pd.concat([out[~is_note], notes[REPORT_COLUMNS]], ignore_index=True)
    return table, out


def _codes(hs: pd.Series) -> str:
    codes = list(dict.fromkeys(hs))
    return " ".join(codes) if len(codes) <= 5 else " ".join(codes[:5]) + f" (+{len(codes) - 5})"


def _concordance_version(conc: Concordance, direction: str, hs: str) -> str:
    """HS edition of the concordance row that maps ``hs`` (longest prefix), ``""`` for catch-all."""
    best, version = "", ""
    for d, code, _, v in conc.rows:
        if d == direction and code != CATCH_ALL and hs.startswith(code) and len(code) > len(best):
            best, version = code, v
    return version


def _net_of_subcodes(lines: pd.DataFrame, rep) -> pd.DataFrame:
    """A code listed together with codes under it counts only its remainder (no double count)."""
    if lines.empty:
        return lines
    keys = ["reporter", "partner", "direction", "fiscal_year", "period"]
    lines = lines.copy()
    for _, g in lines.groupby(keys, dropna=False, sort=False):
        codes = set(g["hs"])
        parents = {c for c in codes if any(o != c and o.startswith(c) for o in codes)}
        if not parents:
            continue
        totals = g.groupby("hs")["value_usd_mn"].sum()
        for p in parents:
            subs = [o for o in codes if o != p and o.startswith(p)]
            top = [o for o in subs if not any(q != o and o.startswith(q) for q in subs)]
            rest = totals[p] - sum(totals[t] for t in top)
            idx = g.index[g["hs"] == p]
            first = g.loc[idx[0]]
            if rest < -0.005:
                rep("inconsistent", f"sub-codes {', '.join(sorted(top))} add to more than "
                    f"{p} ({totals[p]:.2f}): {p} not imported", first)
                rest = 0.0
            else:
                rep("note", f"{p} is listed with its sub-codes {', '.join(sorted(top))}: only "
                    f"its remainder {rest:.2f} counted", first)
            lines.loc[idx, "value_usd_mn"] = 0.0
            lines.loc[idx[0], "value_usd_mn"] = max(rest, 0.0)
    return lines[lines["value_usd_mn"] != 0]


def flow_table(table: pd.DataFrame, concordance: Concordance | None = None) -> pd.DataFrame:
    """Table rows -> the model's flows per direction and fiscal year (US$ mn)."""
    conc = concordance or load_concordance()
    if table.empty:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    t = table.copy()
    t["flow"] = [conc.flow(d, str(h)) for d, h in zip(t["direction"], t["hs"])]
    out = t.groupby(["direction", "fiscal_year", "months", "flow"], as_index=False,
                    sort=False)["value_usd_mn"].sum()
    order = {(d, f): i for d in ("export", "import") for i, f in enumerate(conc.flows(d))}
    out["_o"] = [order.get((d, f), 99) for d, f in zip(out["direction"], out["flow"])]
    out = out.sort_values(["direction", "fiscal_year", "_o"]).drop(columns="_o")
    out["value_usd_mn"] = out["value_usd_mn"].round(2)
    return out[FLOW_COLUMNS].reset_index(drop=True)


def summarise(lines: pd.DataFrame, table: pd.DataFrame, report: pd.DataFrame) -> pd.DataFrame:
    """Per direction and fiscal year: lines read, lines kept, value mapped and not (US$ mn)."""
    keys = ["direction", "fiscal_year"]
    read = lines.groupby(keys).size().rename("lines_read")
    rep = report[report["kind"] != "note"].copy() if len(report) else report
    rep = rep[rep["kind"] != "hs_version"] if len(rep) else rep
    not_kept = (pd.to_numeric(rep["lines"], errors="coerce").groupby(
        [rep["direction"], rep["fiscal_year"]]).sum() if len(rep) else pd.Series(dtype=float))
    out = read.to_frame()
    out["lines_kept"] = [int(n - not_kept.get(k, 0)) for k, n in read.items()]
    mapped = table.groupby(keys)["value_usd_mn"].sum() if len(table) else pd.Series(dtype=float)
    out["mapped_usd_mn"] = [round(float(mapped.get(k, 0.0)), 2) for k in out.index]
    for kind, col in (("unmapped", "unmapped_usd_mn"), ("other_partner", "other_partners_usd_mn")):
        sel = report[report["kind"] == kind] if len(report) else report
        v = (pd.to_numeric(sel["value_usd_mn"]).groupby([sel["direction"], sel["fiscal_year"]])
             .sum() if len(sel) else pd.Series(dtype=float))
        out[col] = [round(float(v.get(k, 0.0)), 2) for k in out.index]
    months = table.groupby(keys)["months"].max() if len(table) else pd.Series(dtype=float)
    out["months"] = [int(months[k]) if k in months else "" for k in out.index]
    return out.reset_index()
