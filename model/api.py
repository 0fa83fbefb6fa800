"""The Python API (docs/design.md §4.3): ``load_scenario``, ``run``; usable from a notebook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from model.errors import InputError
from model.projection import run_batch
from model.results import Result
from model.scenario import Scenario, check_path, check_values, load_scenario


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
    for path, value in (overrides or {}).items():
        check_path(scenario, path)
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":  # no booleans, strings or objects taken as numbers
            raise InputError(f"must be a number or an array of numbers (got {value!r})",
                             key=path)
        values = np.atleast_1d(raw.astype(float))
        if not np.isfinite(values).all():
            raise InputError("override values must be finite numbers", key=path)
        for v in {float(values.min()), float(values.max())}:  # the schema's ranges and rules
            check_values(scenario, {path: v}, source=" (override)")
    rng = np.random.default_rng(np.random.SeedSequence(seed)) if seed is not None else None
    batch = run_batch(scenario, {k: np.atleast_1d(np.asarray(v, float)) for k, v in
                                 (overrides or {}).items()}, rng=rng)
    return Result(scenario=scenario, batch=batch, seed=seed, source_file=source,
                  warnings=extrapolation_warnings(scenario, overrides))


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
