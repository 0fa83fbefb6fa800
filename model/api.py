"""The Python API (docs/design.md §4.3): ``load_scenario``, ``run``; usable from a notebook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from model.projection import run_batch
from model.results import Result
from model.scenario import Scenario, check_path, load_scenario


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
    for path in overrides or {}:
        check_path(scenario, path)
    rng = np.random.default_rng(np.random.SeedSequence(seed)) if seed is not None else None
    batch = run_batch(scenario, {k: np.atleast_1d(np.asarray(v, float)) for k, v in
                                 (overrides or {}).items()}, rng=rng)
    return Result(scenario=scenario, batch=batch, seed=seed, source_file=source)
