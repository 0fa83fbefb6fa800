"""Binding of the trade model to the sweep evaluator interface.

Outcome names (docs/design.md §3.6), fiscal years as ``2029-30``, ``2029`` or ``FY2029-30``:

* ``balance:FY``, ``total_trade:FY``, ``exports:FY``, ``imports:FY`` -- US$ bn in that year;
* ``year_100bn`` -- first fiscal start year with total trade >= 100; NaN where it is never
  reached within the horizon (summaries drop those rows and report their share);
* ``cumulative_deficit`` -- minus the balance summed over the projected years (after the base).

Every evaluation also returns the yearly balance and total-trade paths for quantiles/fan charts.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model import __version__, outcomes
from model.bounds import above, below, range_text, schema_range
from model.errors import InputError
from model.fiscal import fy_label, parse_fy
from model.projection import run_batch
from model.scenario import Scenario, check_ends, check_path, load_scenario, with_values
from model.sweep.evaluators import Evaluation

YEARLY = {"balance": "balance", "total_trade": "total", "exports": "exports",
          "imports": "imports"}
SCALARS = ("year_100bn", "cumulative_deficit")
TARGET_BN = 100.0


def parse_outcome(name: str) -> tuple[str, int | None]:
    """``"balance:2029-30" -> ("balance", 2029)``; ``"year_100bn" -> ("year_100bn", None)``."""
    metric, _, year = name.partition(":")
    if metric in SCALARS and not year:
        return metric, None
    if metric in YEARLY and year:
        return metric, parse_fy(year)
    raise ValueError(name)


class ModelEvaluator:
    """``(inputs, rng) -> Evaluation`` for one base scenario and a list of outcome names."""

    def __init__(self, scenario: str | Path | Scenario, outcome_names: Sequence[str], *,
                 file: str | None = None):
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.outcome_names = tuple(outcome_names)
        self.years = run_batch(self.scenario).years
        self._parsed = {o: self._parse(o, file) for o in self.outcome_names}

    def _parse(self, name: str, file: str | None) -> tuple[str, int | None]:
        try:
            metric, year = parse_outcome(name)
        except ValueError:
            raise InputError(
                f"unknown outcome {name!r}; allowed: " + ", ".join(
                    [f"{m}:FY" for m in YEARLY] + list(SCALARS)) + " (FY like 2029-30)",
                file=file, key="outcomes") from None
        if year is not None and year not in self.years:
            raise InputError(f"year of {name!r} is outside the horizon {fy_label(self.years[0])}"
                             f"..{fy_label(self.years[-1])}", file=file, key="outcomes")
        return metric, year

    def validate(self, parameters: Sequence[str], outcome_names: Sequence[str],
                 file: str | None = None) -> None:
        for p in parameters:
            check_path(self.scenario, p, file=file, key=f'parameters."{p}"')
        for o in outcome_names:
            self._parse(o, file)

    def check_ranges(self, supports: dict[str, tuple[float, float]], file: str | None) -> None:
        """Refuse distributions that can sample values the scenario schema does not allow."""
        for path, (s_lo, s_hi) in supports.items():
            bounds = schema_range(path)
            low = below(s_lo, bounds)
            if low or above(s_hi, bounds):
                raise InputError(f"samples reach {s_lo if low else s_hi:g} but the allowed "
                                 f"range is {range_text(bounds)}; narrow low/high (or truncate "
                                 "the distribution)", file=file, key=f'parameters."{path}"')

    def check_values(self, parameters: dict, file: str | None) -> None:
        """Every value a sweep can hand the model -- each input's ends, its discrete choices,
        tornado ``base`` and ``swing``, and each pair of inputs at their ends together --
        passes the scenario schema and its cross-field rules (:func:`check_values`). Pairs are
        taken at the ends of bounded inputs and at the 0.5%/99.5% quantiles of unbounded ones."""
        ends: dict[str, list[tuple[str, float]]] = {}
        pair_ends: dict[str, list[tuple[str, float]]] = {}
        for name, p in parameters.items():
            lo, hi = p.marginal().support()
            vals = [("low end", lo), ("high end", hi)]
            vals += [("choices", c) for c in (p.choices or ())]
            vals += [("swing", v) for v in (p.swing or ())]
            if p.base is not None and p.base != "scenario":
                vals.append(("base", p.base))
            ends[name] = [(w, float(v)) for w, v in vals if np.isfinite(v)]
            if p.dist in ("uniform", "triangular", "discrete"):
                pair_ends[name] = ends[name][:2]
            else:  # an unbounded tail: pairs at its 0.5% and 99.5% quantiles
                q = p.marginal().ppf(np.array([0.005, 0.995]))
                pair_ends[name] = [("P0.5", float(q[0])), ("P99.5", float(q[1]))]
        check_ends(self.scenario, ends, pair_ends, file=file, source=lambda *items: (
            " (from the sweep: " + " together with ".join(
                f'parameters."{n}" {what} {v:g}' for n, what, v in items) + ")"))

    def fingerprint(self) -> str:
        body = f"{__version__}\n{self.scenario.model_dump_json()}"
        return hashlib.sha256(body.encode()).hexdigest()

    def __call__(self, inputs: dict[str, np.ndarray], rng: np.random.Generator) -> Evaluation:
        """Outcomes per row of ``inputs``. A NaN input means "the scenario's own value" (its
        year path, not a number): rows are then run in groups by which inputs they set."""
        if inputs and any(np.isnan(np.asarray(v, float)).any() for v in inputs.values()):
            return self._by_pattern(inputs, rng)
        batch = run_batch(self.scenario, inputs or None, rng=rng)
        n = max((np.size(v) for v in inputs.values()), default=1)
        if batch.balance.shape[0] != n:
            # a parameter the projection takes as a scalar only (e.g. settings.*): row by row
            return self._stack([self._one_row(inputs, i, rng) for i in range(n)])
        years = batch.years
        paths = {"balance": batch.balance, "total": batch.total}
        out = {}
        for name, (metric, year) in self._parsed.items():
            if metric == "year_100bn":
                out[name] = outcomes.first_year_reaching(paths["total"], years, TARGET_BN)
            elif metric == "cumulative_deficit":
                out[name] = -outcomes.cumulative(paths["balance"], years)
            else:
                arr = paths.get(YEARLY[metric])
                arr = getattr(batch, YEARLY[metric]) if arr is None else arr
                out[name] = outcomes.at_year(arr, years, year)
        return Evaluation(outcomes=out, paths={"balance": paths["balance"],
                                               "total_trade": paths["total"]}, years=years)

    def _one_row(self, inputs: dict[str, np.ndarray], i: int, rng) -> Evaluation:
        one = copy.copy(self)
        one.scenario = with_values(self.scenario, {k: float(np.asarray(v, float)[i])
                                                   for k, v in inputs.items()})
        return one({}, rng)

    @staticmethod
    def _stack(parts: list[Evaluation]) -> Evaluation:
        return Evaluation(
            outcomes={k: np.concatenate([np.atleast_1d(p.outcomes[k]) for p in parts])
                      for k in parts[0].outcomes},
            paths={k: np.concatenate([p.paths[k] for p in parts]) for k in parts[0].paths},
            years=parts[0].years)

    def _by_pattern(self, inputs: dict[str, np.ndarray], rng) -> Evaluation:
        names = list(inputs)
        x = np.column_stack([np.asarray(inputs[k], float) for k in names])
        given = ~np.isnan(x)
        parts = []
        for pattern in np.unique(given, axis=0):
            rows = np.flatnonzero((given == pattern).all(axis=1))
            sub = {k: x[rows, j] for j, k in enumerate(names) if pattern[j]}
            parts.append((rows, self(sub, rng) if sub else self._broadcast(len(rows), rng)))
        n, first = len(x), parts[0][1]
        out = {k: np.empty(n) for k in first.outcomes}
        paths = {k: np.empty((n, v.shape[-1])) for k, v in first.paths.items()}
        for rows, ev in parts:
            for k in out:
                out[k][rows] = ev.outcomes[k]
            for k in paths:
                paths[k][rows] = ev.paths[k]
        return Evaluation(outcomes=out, paths=paths, years=first.years)

    def _broadcast(self, n: int, rng) -> Evaluation:
        """The scenario itself, repeated for ``n`` rows."""
        ev = self({}, rng)
        return Evaluation(outcomes={k: np.repeat(np.asarray(v).reshape(-1)[:1], n)
                                    for k, v in ev.outcomes.items()},
                          paths={k: np.repeat(v[:1], n, axis=0) for k, v in ev.paths.items()},
                          years=ev.years)
