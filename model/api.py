"""The Python API (docs/design.md §4.3): ``load_scenario``, ``run``; usable from a notebook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from model.errors import InputError
from model.projection import run_batch
from model.results import Result
from model.scenario import NOT_FINITE, Scenario, check_ends, check_path, load_scenario


def run(scenario: Scenario | str | Path, *, overrides: Mapping[str, float | np.ndarray] | None = None,
        seed: int | None = None) -> Result:
    """Project one scenario (a :class:`Scenario` or a path to a scenario file).

    ``overrides`` maps dotted parameter paths (see ``tradesim paths``) to values; arrays of shape
    ``(N,)`` give N samples in one vectorised run (``Result.batch`` holds them all).
    ``seed`` seeds the stochastic parts (the DES corridors) and is recorded in the manifest.
    """
    source = None
    if not isinstance(scenario, Scenario):
        source = str(scenario)
        scenario = load_scenario(scenario)
    arrays = check_overrides(scenario, overrides or {})
    rng = np.random.default_rng(np.random.SeedSequence(seed)) if seed is not None else None
    batch = run_batch(scenario, arrays, rng=rng)
    return Result(scenario=scenario, batch=batch, seed=seed, source_file=source,
                  warnings=extrapolation_warnings(scenario, arrays))


def check_overrides(scenario: Scenario, overrides: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The overrides as float arrays of shape (1,) or (N,), one N for all, after each value's
    path, type and finiteness, and each input at its ends and each pair of inputs at their ends
    together, passed the scenario schema and its cross-field rules (as a sweep's are)."""
    arrays: dict[str, np.ndarray] = {}
    for path, value in overrides.items():
        check_path(scenario, path)
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":  # no booleans, strings or objects taken as numbers
            raise InputError(f"must be a number or an array of numbers (got {value!r})",
                             key=path)
        values = np.atleast_1d(raw.astype(float))
        if values.ndim != 1 or values.size == 0:
            raise InputError("must be a number or a 1-D array of shape (N,) with at least one "
                             f"sample (got shape {raw.shape})", key=path)
        if not np.isfinite(values).all():
            raise InputError(NOT_FINITE, key=path)
        arrays[path] = values
    sizes = {path: v.size for path, v in arrays.items() if v.size > 1}
    if len(set(sizes.values())) > 1:
        path = list(sizes)[-1]
        raise InputError("every override array must have the same number of samples N (or be "
                         "one number): got " + ", ".join(f"{p} {n}" for p, n in sizes.items()),
                         key=path)
    ends = {path: [("min", float(v.min()))] + ([("max", float(v.max()))] if v.max() > v.min() else [])
            for path, v in arrays.items()}
    check_ends(scenario, ends, source=lambda *items: " (override)")
    return arrays


def extrapolation_warnings(scenario: Scenario, overrides=None) -> tuple[str, ...]:
    """One line per flow whose trade-cost response leaves the credible range (see
    :data:`model.drivers.CREDIBLE_RESPONSE`)."""
    from model.data import load_baseline
    from model.drivers import CREDIBLE_RESPONSE, build, extrapolations
    from model.fiscal import fy_label
    from model.scenario import with_values

    sc = with_values(scenario, {k: np.atleast_1d(np.asarray(v, float))
                                for k, v in (overrides or {}).items()}) if overrides else scenario
    lo, hi = CREDIBLE_RESPONSE
    return tuple(
        f"flows.{flow}: tariffs/NTBs/payment costs alone multiply the flow by {factor:.3g} "
        f"(from {fy_label(year)}); the constant-elasticity form is extrapolated far outside "
        f"the range it is trusted for ({lo:.2g}..{hi:g}x): treat this flow's numbers as "
        "illustrative"
        for flow, year, factor in extrapolations(build(sc, load_baseline(sc.settings.dataset))))
