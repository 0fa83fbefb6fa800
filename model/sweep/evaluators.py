"""The evaluator interface and built-in toy evaluators with known answers.

An evaluator maps N input samples to outcomes::

    evaluator(inputs: dict[str, ndarray (N,)], rng: np.random.Generator) -> Evaluation | dict

It must be vectorised over the sample axis, row-independent (row i's result depends only on row
i's inputs and on ``rng``) and picklable (it is shipped to worker processes and Dask workers).
Optional hooks: ``validate(parameters, outcomes, file)`` raising InputError for names it does not
know, ``fingerprint() -> str`` identifying the model and its data (part of the checkpoint hash).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from model.errors import InputError

PATH_METRICS = ("balance", "total_trade")  # year paths kept for quantiles and fan charts


@dataclass(frozen=True)
class Evaluation:
    """Outcomes of one batch: scalars (N,) by name; optional year paths (N, Y) on ``years``."""

    outcomes: Mapping[str, np.ndarray]
    paths: Mapping[str, np.ndarray] = field(default_factory=dict)
    years: np.ndarray | None = None


class Evaluator(Protocol):
    def __call__(
        self, inputs: dict[str, np.ndarray], rng: np.random.Generator
    ) -> Evaluation | Mapping[str, np.ndarray]: ...


def as_evaluation(out: Evaluation | Mapping[str, np.ndarray]) -> Evaluation:
    return out if isinstance(out, Evaluation) else Evaluation(outcomes=dict(out))


def check_names(given: Sequence[str], known: Sequence[str], what: str, key: str,
                file: str | None) -> None:
    """InputError for the first name in ``given`` not in ``known``, with the nearest one."""
    for name in given:
        if name not in known:
            near = difflib.get_close_matches(name, list(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise InputError(f"unknown {what} {name!r}{hint} (known: {', '.join(known)})",
                             file=file, key=key)


class _Toy:
    parameter_names: tuple[str, ...] = ()
    outcome_names: tuple[str, ...] = ("y",)

    def validate(self, parameters: Sequence[str], outcomes: Sequence[str],
                 file: str | None = None) -> None:
        check_names(parameters, self.parameter_names, "parameter", "parameters", file)
        check_names(outcomes, self.outcome_names, "outcome", "outcomes", file)

    def fingerprint(self) -> str:
        return type(self).__name__

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class Ishigami(_Toy):
    """Ishigami function, y = sin x1 + a sin^2 x2 + b x3^4 sin x1, on [-pi, pi]^3.

    Known Sobol' indices for a=7, b=0.1: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    (Ishigami & Homma 1990; Saltelli et al. 2010).
    """

    parameter_names = ("x1", "x2", "x3")

    def __init__(self, a: float = 7.0, b: float = 0.1):
        self.a, self.b = a, b

    @staticmethod
    def exact(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
        v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
        v2 = a**2 / 8
        v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
        var = v1 + v2 + v13
        return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var

    def __call__(self, inputs: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
        x1, x2, x3 = (inputs[k] for k in self.parameter_names)
        return {"y": np.sin(x1) + self.a * np.sin(x2) ** 2 + self.b * x3**4 * np.sin(x1)}


class Linear(_Toy):
    """y = sum c_i x_i with fixed coefficients; also emits toy year paths for fan charts."""

    COEF = {"x1": 5.0, "x2": -3.0, "x3": 1.0, "x4": 0.5, "x5": 0.0}
    parameter_names = tuple(COEF)
    outcome_names = ("y", "y_noisy")
    years = np.arange(2024, 2035)

    def __call__(self, inputs: dict[str, np.ndarray], rng: np.random.Generator) -> Evaluation:
        n = len(next(iter(inputs.values())))
        y = sum(c * inputs.get(k, np.zeros(n)) for k, c in self.COEF.items())
        t = (self.years - self.years[0]) / 10.0
        balance = -60.0 + np.outer(y, t)
        total = 70.0 + np.outer(np.abs(y), t) * 2
        noisy = y + rng.standard_normal(n)  # exercises the per-block model stream
        return Evaluation(outcomes={"y": y, "y_noisy": noisy},
                          paths={"balance": balance, "total_trade": total}, years=self.years)


class Heavy(Linear):
    """The linear model plus ~1 ms of arithmetic per 100 samples, for executor speed-ups."""

    def __call__(self, inputs: dict[str, np.ndarray], rng: np.random.Generator) -> Evaluation:
        out = super().__call__(inputs, rng)
        x = np.outer(inputs["x1"], np.linspace(0, 1, 64))
        for _ in range(200):
            x = np.sin(x) + 0.5 * np.cos(x)
        return Evaluation(outcomes={**out.outcomes, "y": out.outcomes["y"] + 0 * x[:, 0]},
                          paths=out.paths, years=out.years)


class CorridorDes(_Toy):
    """A DES-heavy workload: per sample, the SimPy model of the INSTC corridor (pre-link) run for
    two years at bottleneck utilisation ``x1`` (0.05..0.95), seeded from the block's stream.
    ``y`` = mean door-to-door days in the second year. Used for executor speed-ups, where
    numpy-bound toys are capped by shared memory bandwidth."""

    parameter_names = ("x1",)

    def __call__(self, inputs: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
        from model.corridors import default_routes, load_for_utilisation, simulate

        route = default_routes(2026, rasht_astara_open_year=10_000)["instc"]
        util = np.clip(inputs["x1"], 0.05, 0.95)
        seeds = rng.integers(0, 2**63 - 1, size=util.size)
        y = np.empty(util.size)
        for i, (u, seed) in enumerate(zip(util, seeds, strict=True)):
            per_year = load_for_utilisation(route, float(u))
            st = simulate({"instc": route}, {"instc": [per_year, per_year]}, (2026, 2027),
                          np.random.default_rng(seed))
            y[i] = st.transit_days_mean[0, 1]
        return {"y": y}


TOYS = {"toy:ishigami": Ishigami, "toy:linear": Linear, "toy:heavy": Heavy,
        "toy:des": CorridorDes}
