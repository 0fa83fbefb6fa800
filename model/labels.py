"""Human labels and units: one source for plots, reports and any browser explorer.

* flows -- the dataset's own labels (``other_imports`` -> "Other imports (residual)");
* outcomes and summary columns -- ``balance`` -> "India's balance with Russia", US$ bn;
  ``balance:2029-30`` adds the year; ``year_100bn`` -> "Year trade reaches $100bn";
* parameter paths -- text and unit from the scenario schema's field descriptions (the same
  descriptions ``tradesim schema`` prints), with the flow / route named in the path; a path the
  schema does not know falls back to readable words;
* routes, modes, lever groups, result status.

Every function returns plain strings or a :class:`Label`, so nothing here depends on matplotlib.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from model.fiscal import fy_label, parse_fy

US_BN = "US$ bn"


@dataclass(frozen=True)
class Label:
    """A quantity's name and unit. ``percent``: values are fractions shown as per cent."""

    text: str
    unit: str = ""
    percent: bool = False

    def __str__(self) -> str:
        return self.axis

    @property
    def axis(self) -> str:
        """``"Russian crude to India (mb/d)"`` -- for axis labels and legends."""
        return f"{self.text} ({self.unit})" if self.unit else self.text

    def format(self, value: float) -> str:
        """A value in this label's unit: ``0.5`` -> ``"50%"`` for a percent label."""
        if value != value:  # NaN
            return "n/a"
        if self.percent:
            return f"{value * 100:.3g}%"
        if self.unit == "fiscal year":
            return "FY" + fy_label(int(value))
        return f"{value:.4g}"


# ------------------------------------------------------------------------------ flows
@functools.cache
def _flow_labels(dataset: str | None) -> dict[str, str]:
    from model.data import load_baseline

    b = load_baseline(dataset) if dataset else load_baseline()
    return {name: b.flow(name).label for name in b.flow_names}


def flow(name: str, dataset: str | None = None, *, short: bool = False) -> str:
    """The dataset's label of a flow (``crude`` -> "Crude oil"); readable words if unknown.

    ``short`` drops a parenthesis that lists examples ("Metals (iron & steel, nickel,
    aluminium)" -> "Metals") but keeps one that qualifies ("Other imports (residual)")."""
    text = _flow_labels(dataset).get(name) or words(name)
    if short:
        text = re.sub(r"\s*\((mainly [^)]*|[^)]*,[^)]*)\)", "", text)
    return text


def flow_labels(dataset: str | None = None) -> dict[str, str]:
    """Every flow of a dataset -> its label."""
    return dict(_flow_labels(dataset))


DIRECTIONS = {"export": "India's exports to Russia", "import": "India's imports from Russia"}

# ------------------------------------------------------------------------------ routes, modes
ROUTES = {
    "suez": "Suez all-sea",
    "instc": "INSTC (Iran, Caspian)",
    "chennai_vladivostok": "Chennai–Vladivostok",
    "nsr": "Northern Sea Route",
}
MODES = {"container": "Container cargo", "bulk": "Dry bulk cargo", "tanker": "Tanker cargo",
         "lng": "LNG carriers"}


def route(name: str) -> str:
    return ROUTES.get(name) or words(name)


def mode(name: str) -> str:
    return MODES.get(name) or words(name).capitalize()


# ------------------------------------------------------------------------------ outcomes
OUTCOMES: dict[str, Label] = {
    "balance": Label("India's balance with Russia", US_BN),
    "total_trade": Label("India–Russia trade", US_BN),
    "exports": Label("India's exports to Russia", US_BN),
    "imports": Label("India's imports from Russia", US_BN),
    "deficit": Label("India's deficit with Russia", US_BN),
    "year_100bn": Label("Year trade reaches $100bn", "fiscal year"),
    "cumulative_deficit": Label("India's cumulative deficit with Russia over the projection",
                                US_BN),
    "rupee_balance": Label("Russia's rupee balance", US_BN),
}
TRIGGER_QUANTITIES = {"oil.volume_mbd": Label("Russian crude to India", "mb/d"),
                      "lng.volume_mt": Label("Russian LNG to India", "Mt/yr")}


def outcome(name: str) -> Label:
    """``"balance"``, ``"balance_usd_bn"`` or ``"balance:2029-30"`` -> its label and unit."""
    metric, _, year = name.partition(":")
    metric = metric.removesuffix("_usd_bn")
    base = OUTCOMES.get(metric) or TRIGGER_QUANTITIES.get(metric) or Label(words(metric))
    if year:
        try:
            year = "FY" + fy_label(parse_fy(year))
        except ValueError:
            pass
        return Label(f"{base.text}, {year}", base.unit, base.percent)
    return base


# ------------------------------------------------------------------------------ status, groups
STATUS = {"observed": "observed (DGCI&S)",
          "nowcast": "nowcast (observed months + model)",
          "projection": "projection"}

GROUPS = {"oil": "Oil", "lng": "LNG", "us_tariffs": "US tariffs", "fta": "EAEU–India FTA",
          "ntb": "Non-tariff barriers", "corridors": "Corridors", "payments": "Payments",
          "rivals": "Suppliers (rivals, capacity)", "macro": "GDP and prices", "other": "Other inputs"}


def group(name: str) -> str:
    """A decomposition lever group (``us_tariffs`` -> "US tariffs")."""
    return GROUPS.get(name) or words(name)


# ------------------------------------------------------------------------------ parameters
# What a section of the scenario is about, for descriptions that do not name it ("Mt/yr at
# start" under levers.lng is Russian LNG to India).
SUBJECTS = {
    "levers.us_tariff": "US tariff on Indian goods",
    "levers.fta": "EAEU–India FTA",
    "levers.ntb": "Russia's non-tariff barriers",
    "levers.oil": "Russian crude to India",
    "levers.lng": "Russian LNG to India",
    "levers.coal": "Coal from Russia",
    "levers.fertiliser": "Fertilisers from Russia",
    "levers.vegetable_oil": "Vegetable oils from Russia",
    "levers.payments": "Payments",
    "macro": "Macro",
    "corridors": "Corridors",
    "settings": "Settings",
}
# units by the end of a field name, for fields whose description gives none
_NAME_UNITS = (("_usd_per_t", "US$/t"), ("_usd_t", "US$/t"), ("_usd_mmbtu", "US$/MMBtu"),
               ("_usd_bbl", "US$/bbl"), ("_usd", "US$/bbl"), ("_mbd", "mb/d"),
               ("_per_year", "Mt/yr each year"), ("_mt", "Mt/yr"), ("days", "days"),
               ("_years", "years"))
# values stored as fractions, shown as per cent (shares, tariffs, growth rates)
_PERCENT = re.compile(r"(^|_)(share|cut|rate|tariff|ntb_ave|friction|growth|inflation|multiplier"
                      r"|tariff_path|trend)(_|$)")
_UNIT_WORDS = re.compile(r"(US\$|/|\bMt\b|mb/d|\bdays?\b|\byears?\b|fraction|MMBtu|\bt\b)")
_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+$")


_ACRONYMS = {"us": "US", "lng": "LNG", "ntb": "NTB", "fta": "FTA", "eaeu": "EAEU",
             "instc": "INSTC", "nsr": "NSR", "gdp": "GDP", "usd": "US$"}


def words(name: str) -> str:
    """Readable words for an identifier or dotted path: ``levers.x.new_thing`` ->
    "X: new thing" (the fallback when nothing better is known)."""
    parts = [p for p in name.split(".") if p not in ("levers", "flows", "corridors", "routes")]
    parts = [p.replace("_", " ") for p in parts] or [name.replace("_", " ")]
    text = re.sub(r"\b(us|lng|ntb|fta|eaeu|instc|nsr|gdp|usd)\b",
                  lambda m: _ACRONYMS[m.group(1)], ": ".join(parts))
    return text[:1].upper() + text[1:]


@functools.cache
def _json_schema() -> dict:
    from model.schema import ScenarioSpec

    return ScenarioSpec.model_json_schema()


def _resolve(node: dict) -> dict:
    defs = _json_schema().get("$defs", {})
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _descriptions(node: dict) -> list[str]:
    found = [node["description"]] if node.get("description") else []
    for branch in node.get("anyOf", ()):
        found += _descriptions(_resolve(branch))
    return found


def _description(node: dict) -> str:
    """The field's description; a note such as "None = unlimited" only if there is no other."""
    found = _descriptions(node)
    useful = [d for d in found if not d.startswith(("None =", "fiscal year: "))]
    return (useful or found or [""])[0]


def _container(node: dict) -> dict:
    """The object branch of a node (through $ref and Optional/anyOf)."""
    node = _resolve(node)
    if "properties" in node or "additionalProperties" in node:
        return node
    for branch in node.get("anyOf", ()):
        got = _container(branch)
        if got:
            return got
    return {}


def _schema_lookup(path: str) -> tuple[str, list[str], str] | None:
    """(description of the leaf, dict keys met on the way, leaf field name), or None."""
    node, keys, field, description = _json_schema(), [], "", ""
    for part in path.split("."):
        obj = _container(node)
        if part in obj.get("properties", {}):
            node, field = obj["properties"][part], part
            description = _description(node)
        elif isinstance(obj.get("additionalProperties"), dict):
            node = obj["additionalProperties"]  # a flow, route or mode key: keep the field's text
            keys.append(part)
            description = _description(_resolve(node)) or description
        else:
            return None
    return description, keys, field


def description(path: str) -> str:
    """The schema's own description of a parameter path (help text); "" if it has none."""
    found = _schema_lookup(path)
    return found[0] if found else ""


def _clean(description: str) -> str:
    text = re.sub(r"\s*\([^)]*\)", "", description)   # "(default: data)", "(R)", "(0.5 = 50%)"
    text = text.split("; ")[0]
    text = re.split(r":\s", text, maxsplit=1)[0]
    return text.replace(" -> ", " → ").replace("transit days", "transit time").strip(" ,")


def _split_unit(text: str) -> tuple[str, str]:
    """``"Brent, US$/bbl"`` -> ("Brent", "US$/bbl"); ``"Mt/yr at start"`` -> ("", "Mt/yr")."""
    head, sep, tail = text.rpartition(", ")
    if sep and tail.startswith("share of "):
        return head, "% of " + tail.removeprefix("share of ")
    if sep and _UNIT_WORDS.search(tail) and len(tail.split()) <= 4:
        return head, tail
    if re.match(r"^(Mt/yr|US\$/\w+|mb/d|Mt)\b", text):
        unit, _, rest = text.partition(" ")
        return ("", unit) if unit == "Mt/yr" and rest == "at start" else (rest, unit)
    return text, ""


def parameter(path: str) -> Label:
    """Label and unit of a parameter path, from the schema's field description.

    ``levers.oil.volume_mbd`` -> "Russian crude to India" (mb/d); ``flows.pharma.elasticity``
    -> "Drugs & pharmaceuticals: import demand elasticity |Em|"; ``levers.ntb.cut.pharma`` ->
    "Russia's non-tariff barriers on Drugs & pharmaceuticals: share removed" (%)."""
    found = _schema_lookup(path)
    if found is None:
        return Label(words(path))
    description, keys, field = found
    text, unit = _split_unit(_clean(description))
    name_unit = next((u for end, u in _NAME_UNITS if field.endswith(end)), "")
    bare = _strip_unit_suffix(field)
    if not description or 0 < len(text) < 4:          # no description, or "Ex"
        text = words(bare)
    if unit == "fraction":
        unit = ""
    percent = unit.startswith("%") or not name_unit and (
        bool(_PERCENT.search(field)) or text.startswith(("share of", "flow → share of")))
    if text.startswith(("share of its ", "flow → share of")):
        text = "share removed"
    if percent and not unit.startswith("%"):
        unit = "% a year" if re.search(r"growth|inflation|trend", field) else "%"
    elif not unit:
        unit = name_unit
    parts = path.split(".")
    section = ".".join(parts[:2]) if parts[0] == "levers" else parts[0]
    subject = next((s for prefix, s in _FIELD_SUBJECTS.items() if field.startswith(prefix)), "")
    if parts[0] == "flows" and keys:
        subject = flow(keys[0], short=True)
    elif parts[:2] == ["corridors", "routes"] and keys:
        subject = route(keys[0])
        if len(keys) > 1:  # freight_usd_per_t.<mode>
            text = f"{words(bare).lower()}, {mode(keys[1]).lower()}"
    elif parts[:3] == ["levers", "ntb", "cut"] and keys:
        subject = f"{SUBJECTS['levers.ntb']} on {flow(keys[0], short=True)}"
    elif not subject and (not text or _generic(text)):
        subject = SUBJECTS.get(section, "")
    text = f"{subject}: {text}" if subject and text else (subject or text or words(path))
    return Label(text[:1].upper() + text[1:], unit, percent)


def _strip_unit_suffix(field: str) -> str:
    for end in ("_usd_per_t", "_usd_t", "_usd_mmbtu", "_usd", "_mbd", "_mt"):
        if field.endswith(end):
            return field.removesuffix(end)
    return field


_FIELD_SUBJECTS = {"rasht_astara_": "Rasht–Astara rail link"}


def _generic(text: str) -> bool:
    """A description that does not say what it is about ("volume", "price", "Mt added ...")."""
    return bool(re.match(r"^(volume|price|added|years to|first fiscal|alternative|settlement)",
                         text)) or len(text.split()) <= 2 and not text[:1].isupper()


def is_path(text: str) -> bool:
    """True for a raw dotted parameter path such as ``levers.oil.volume_mbd``."""
    return bool(_PATH.match(text))


def any_label(name: str) -> Label:
    """Outcome, summary column or parameter path -> its label (for generic tables)."""
    if is_path(name) and _schema_lookup(name) is not None:
        return parameter(name)
    return outcome(name)


def value_range(path: str, low: float, high: float) -> str:
    """``"0.8 → 2.1 mb/d"``, ``"0% → 50%"`` -- an input range in the parameter's unit."""
    lab = parameter(path)
    text = f"{lab.format(low)} → {lab.format(high)}"
    return text if lab.percent or not lab.unit else f"{text} {lab.unit}"
