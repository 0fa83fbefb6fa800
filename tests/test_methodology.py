"""docs/methodology.md maps every equation to code that exists, and agrees with the (Eq. N) tags."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "methodology.md"
TAG = re.compile(r"\(Eq\. (\d+)\b")


def sections() -> dict[int, str]:
    """Equation number -> its section text (``### Eq. N`` or ``### Eq. N–M``)."""
    text = DOC.read_text()
    parts = re.split(r"^### Eq\. ", text, flags=re.M)[1:]
    out = {}
    for part in parts:
        part = part.split("\n## ", 1)[0]
        m = re.match(r"(\d+)(?:[–-](\d+))?", part)
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        for n in range(first, last + 1):
            out[n] = part
    return out


def dotted_names(text: str) -> list[str]:
    return sorted(set(re.findall(r"`(model(?:\.\w+)+)`", text)))


def resolve(name: str):
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def test_equations_are_numbered_consecutively():
    assert sorted(sections()) == list(range(1, 15))


@pytest.mark.parametrize("number", sorted(sections()))
def test_each_equation_names_existing_functions(number):
    names = dotted_names(sections()[number])
    assert names, f"Eq. {number} names no function"
    for name in names:
        obj = resolve(name)
        assert callable(obj) or inspect.ismodule(obj), name


def code_tags() -> dict[int, set[str]]:
    """Eq. number -> modules whose docstrings carry the (Eq. N) tag (surrogate cites textbooks)."""
    tags: dict[int, set[str]] = {}
    for path in (ROOT / "model").rglob("*.py"):
        if path.name == "surrogate.py":
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for n in TAG.findall(path.read_text()):
            tags.setdefault(int(n), set()).add(module)
    return tags


def test_every_tag_in_the_code_is_documented():
    docs = sections()
    for n, modules in code_tags().items():
        assert n in docs, f"(Eq. {n}) used in {modules} but not in methodology.md"
        named = " ".join(dotted_names(docs[n]))
        assert any(m in named for m in modules), (n, modules)


@pytest.mark.parametrize("name,number", [
    ("model.engine.phase_weight", 1), ("model.engine.crude_value_bn", 2),
    ("model.engine.lng_value_bn", 3), ("model.engine.priced_value_bn", 4),
    ("model.engine.effective_elasticity", 5), ("model.engine.log_trade_cost", 6),
    ("model.engine.adjust", 7), ("model.engine.goods_value", 8),
    ("model.engine.us_diversion_bn", 9), ("model.engine.fill_routes", 10),
    ("model.drivers._level", 11),
])
def test_engine_docstrings_carry_the_documented_number(name, number):
    assert f"(Eq. {number})" in resolve(name).__doc__
    assert name in sections()[number]
