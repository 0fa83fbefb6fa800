"""Provenance: every number in every packaged dataset carries a source and a confidence label.

Walks the raw TOML (not only what the loader reads), so a number added anywhere without
``{value, conf, source}`` fails; and shows the loader refuses a copy with one source removed.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from model.data import CONFIDENCE, DATASETS, DataError, load_baseline, parse_baseline

STRUCTURAL = {("meta", "base_year"), ("history", "fiscal_year")}  # years, not data


def raw_dataset(name: str) -> dict:
    return tomllib.loads(resources.files("model.data").joinpath(DATASETS[name]).read_text())


def bare_numbers(node, path=()):
    """Paths of numbers that are not the ``value`` of a ``{value, conf, source}`` record."""
    if isinstance(node, dict):
        if set(node) == {"value", "conf", "source"}:
            return []
        return [p for k, v in node.items() for p in bare_numbers(v, (*path, k))]
    if isinstance(node, list):
        return [p for v in node for p in bare_numbers(v, path)]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [] if (path[0], path[-1]) in STRUCTURAL else [".".join(map(str, path))]
    return []


def records(node, path=()):
    """Every ``{value, conf, source}`` record with its path."""
    if isinstance(node, dict):
        if set(node) == {"value", "conf", "source"}:
            return [(".".join(map(str, path)), node)]
        return [r for k, v in node.items() for r in records(v, (*path, k))]
    if isinstance(node, list):
        return [r for i, v in enumerate(node) for r in records(v, (*path, i))]
    return []


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_number_is_a_sourced_record(name):
    raw = raw_dataset(name)
    assert bare_numbers(raw) == []
    recs = records(raw)
    assert len(recs) > 100
    for where, r in recs:
        assert r["conf"] in CONFIDENCE, where
        assert isinstance(r["source"], str) and len(r["source"].strip()) >= 3, where


def _ranged(node) -> list:
    """Records of a markets file: {value, conf, source} plus optional basis, low, high."""
    if isinstance(node, dict):
        if {"value", "conf", "source"} <= set(node):
            return [node]
        return [r for v in node.values() for r in _ranged(v)]
    return [r for v in node for r in _ranged(v)] if isinstance(node, list) else []


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_loader_exposes_every_record_with_provenance(name):
    raw, base = raw_dataset(name), load_baseline(name)
    loaded = base.records()
    # nothing in the file escapes `tradesim data`; HS table rows and the flow values computed
    # from them are listed too
    computed = sum(1 for f in raw.get("flow", []) if "value" not in f)
    tables = 0 if base.hs is None else len(base.hs)
    markets = 0  # the dataset's markets file: every record of it is listed too
    if "markets" in raw["meta"]:
        text = resources.files("model.data").joinpath(raw["meta"]["markets"]).read_text()
        markets = len(_ranged(tomllib.loads(text)))
    assert len(loaded) == len(records(raw)) + computed + tables + markets
    assert all(r["conf"] in CONFIDENCE and len(r["source"]) >= 3 for r in loaded)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_derived_numbers_show_their_arithmetic(name):
    for where, r in records(raw_dataset(name)):
        if r["conf"] == "D":
            assert any(ch.isdigit() for ch in r["source"]), f"{where}: D without arithmetic"


def _drop_source(raw, where):
    bad = copy.deepcopy(raw)
    node = bad
    for key in where[:-1]:
        node = node[key]
    del node[where[-1]]["source"]
    return bad


CASES = [("totals", "imports"), ("energy", "crude_value"), ("us", "exempt_share"),
         ("parameters", "payment_friction"), ("flow", 0, "value"), ("flow", 9, "tariff"),
         ("history", 1, "exports")]


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("where", CASES, ids=lambda w: ".".join(map(str, w)))
def test_removing_a_source_fails(name, where):
    raw = raw_dataset(name)
    if where == ("flow", 0, "value"):  # the first flow with a typed value (others are computed)
        where = ("flow", next(i for i, f in enumerate(raw["flow"]) if "value" in f), "value")
    parse_baseline(raw)  # the intact copy parses
    with pytest.raises(DataError, match="source|value, conf, source"):
        parse_baseline(_drop_source(raw, where))


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_empty_source_or_unknown_label_fails(name):
    raw = raw_dataset(name)
    bad = copy.deepcopy(raw)
    bad["energy"]["brent_usd_bbl"]["source"] = "  "
    with pytest.raises(DataError, match="source"):
        parse_baseline(bad)
    bad = copy.deepcopy(raw)
    bad["energy"]["brent_usd_bbl"]["conf"] = "guess"
    with pytest.raises(DataError, match="conf"):
        parse_baseline(bad)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_data_command_prints_each_dataset_with_sources(cli, name):
    code, out, _ = cli("data", "--dataset", name, "--csv")
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header == "section,item,field,value,conf,source"
    assert len(rows) == len(load_baseline(name).records())


def test_data_command_rejects_unknown_dataset(cli):
    code, _, err = cli("data", "--dataset", "fy1999-00")
    assert code == 2 and "fy2024-25" in err
