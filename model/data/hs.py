"""HS-coded trade tables and the concordance that groups HS codes into the model's flows.

A table row is ``direction, fiscal_year, months, hs, description, value_usd_mn, conf, source``.
Rows of one direction and year are *disjoint*: an HS-2 row is the chapter less every longer code
listed for the same direction and year, so rows add up. Which longer codes are listed is declared
by the concordance (``concordance.csv``): every code there longer than a chapter is its own row.
A code maps to the flow of its longest matching concordance prefix; ``*`` catches the rest.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

TABLE_COLUMNS = ["direction", "fiscal_year", "months", "hs", "description", "value_usd_mn",
                 "conf", "source"]
CATCH_ALL = "*"


@dataclass(frozen=True)
class Concordance:
    """HS prefix -> flow, per direction; HS-version-specific rows apply to that version only."""

    rows: tuple[tuple[str, str, str, str], ...]  # (direction, hs, flow, hs_version)

    def codes(self, direction: str) -> set[str]:
        return {hs for d, hs, _, _ in self.rows if d == direction and hs != CATCH_ALL}

    def split_code(self, direction: str, hs: str) -> str:
        """The table row an HS code adds to: its longest listed prefix, else its chapter."""
        best = hs[:2]
        for code in self.codes(direction):
            if len(code) > len(best) and hs.startswith(code):
                best = code
        return best

    def flow(self, direction: str, hs: str) -> str | None:
        """The flow of an HS code (longest prefix; the catch-all otherwise); None if no row."""
        best, flow = "", None
        for d, code, f, _ in self.rows:
            if d != direction:
                continue
            if code == CATCH_ALL and not best:
                flow = f
            elif code != CATCH_ALL and hs.startswith(code) and len(code) > len(best):
                best, flow = code, f
        return flow

    def flows(self, direction: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for d, _, f, _ in self.rows if d == direction))


def parse_concordance(text: str) -> Concordance:
    rows = []
    for i, r in enumerate(csv.DictReader(text.splitlines()), start=2):
        code = r["hs"].strip()
        if r["direction"] not in ("export", "import") or not (code == CATCH_ALL or code.isdigit()):
            raise ValueError(f"concordance.csv line {i}: bad direction or HS code {r!r}")
        rows.append((r["direction"], code, r["flow"].strip(), r["hs_version"].strip()))
    return Concordance(tuple(rows))


@cache
def load_concordance() -> Concordance:
    return parse_concordance(resources.files("model.data").joinpath("concordance.csv").read_text())


def aggregate(lines: pd.DataFrame, *, conf: str, source: str,
              concordance: Concordance | None = None) -> pd.DataFrame:
    """Detailed lines (``direction, fiscal_year, hs, value_usd_mn`` [, ``months``]) -> table rows.

    Values are summed per split code and rounded to US$ 0.01 mn, the precision EIDB publishes.
    """
    conc = concordance or load_concordance()
    lines = lines.copy()
    if "months" not in lines:
        lines["months"] = 12
    lines["hs"] = lines["hs"].astype(str)
    lines["split"] = [conc.split_code(d, h) for d, h in zip(lines["direction"], lines["hs"])]
    out = (lines.groupby(["direction", "fiscal_year", "months", "split"], as_index=False)
           ["value_usd_mn"].sum().rename(columns={"split": "hs"}))
    out["value_usd_mn"] = out["value_usd_mn"].round(2)
    out["description"] = [describe(h) for h in out["hs"]]
    out["conf"], out["source"] = conf, source
    out = out.sort_values(["direction", "fiscal_year", "hs"], key=_sort_key)
    return out[TABLE_COLUMNS].reset_index(drop=True)


def _sort_key(col: pd.Series) -> pd.Series:
    return col.astype(str) if col.name != "hs" else col.astype(str).str.ljust(8, "0") + col.astype(str)


def describe(hs: str) -> str:
    """Short description of a split code (chapter names from the HS nomenclature)."""
    return HS_NAMES.get(hs, f"HS {hs}")


HS_NAMES = {
    "01": "Live animals", "02": "Meat", "03": "Fish & crustaceans", "04": "Dairy, eggs, honey",
    "05": "Other animal products", "06": "Live plants", "07": "Vegetables", "08": "Fruit & nuts",
    "09": "Coffee, tea, spices", "10": "Cereals", "11": "Milling products", "12": "Oil seeds",
    "13": "Lac, gums", "14": "Vegetable plaiting materials", "16": "Meat/fish preparations", "17": "Sugars", "18": "Cocoa", "19": "Cereal preparations",
    "20": "Vegetable/fruit preparations", "21": "Misc. edible preparations", "22": "Beverages",
    "23": "Food residues, fodder", "24": "Tobacco", "25": "Salt, stone, cement", "26": "Ores",
    "28": "Inorganic chemicals", "29": "Organic chemicals",
    "31": "Fertilisers", "32": "Tanning/dyeing extracts, paints",
    "33": "Essential oils, cosmetics", "34": "Soap, waxes", "35": "Albuminoids, glues",
    "36": "Explosives", "37": "Photographic goods", "38": "Misc. chemical products",
    "39": "Plastics", "40": "Rubber", "41": "Raw hides", "42": "Leather articles", "43": "Furskins",
    "44": "Wood", "45": "Cork", "46": "Basketware", "47": "Pulp", "48": "Paper",
    "49": "Printed matter", "50": "Silk", "51": "Wool", "52": "Cotton", "53": "Other vegetable fibres",
    "54": "Man-made filaments", "55": "Man-made staple fibres", "56": "Wadding, twine",
    "57": "Carpets", "58": "Special woven fabrics", "59": "Coated textiles", "60": "Knitted fabrics",
    "61": "Apparel, knitted", "62": "Apparel, not knitted", "63": "Other made-up textiles",
    "64": "Footwear", "65": "Headgear", "66": "Umbrellas", "67": "Feathers", "68": "Stone articles",
    "69": "Ceramic products", "70": "Glass", "72": "Iron & steel", "73": "Articles of iron/steel", "74": "Copper", "75": "Nickel",
    "76": "Aluminium", "78": "Lead", "79": "Zinc", "80": "Tin", "81": "Other base metals",
    "82": "Tools, cutlery", "83": "Misc. base-metal articles", "84": "Machinery (excl. 8471)",
    "85": "Electrical machinery & electronics (excl. listed lines)", "86": "Railway",
    "87": "Vehicles", "88": "Aircraft", "89": "Ships", "90": "Optical, medical instruments",
    "91": "Clocks", "92": "Musical instruments", "93": "Arms", "94": "Furniture", "95": "Toys",
    "96": "Misc. manufactured", "97": "Works of art", "99": "Miscellaneous",
    "2709": "Crude petroleum", "2701": "Coal", "2704": "Coke", "2711": "LNG & petroleum gases",
    "27": "Mineral fuels (excl. listed lines: petroleum products etc.)", "3004": "Medicaments, retail",
    "30": "Pharmaceutical products (excl. 3004)", "8471": "Computers", "1512": "Sunflower/safflower oil",
    "15": "Fats & oils (excl. 1512)", "7102": "Diamonds", "71": "Pearls, precious stones, metals (excl. 7102)",
    "851712": "Mobile phones (HS-2017)", "851713": "Smartphones (HS-2022)",
    "851714": "Other mobile phones (HS-2022)",
}
