"""Sensitivity and uncertainty sweeps (issue 4): Monte Carlo, grid, tornado, Sobol', Morris.

``run_sweep("scenarios/sweeps/oil_lng_uncertainty.toml", out="results", workers=2)`` runs a sweep
file and writes ``results/<name>/``; see :func:`model.sweep.run.run_sweep`. Modules: ``spec``
(file schema), ``samplers`` (distributions, copula, seeding), ``methods`` (designs, indices),
``execute`` (chunks, executors, checkpoints), ``outputs`` and ``plots`` (tables and figures),
``evaluators`` (interface, toy models), ``model_eval`` (binding to the trade model).
"""

import sys
import types

from model.sweep.evaluators import Evaluation, Evaluator
from model.sweep.run import SweepResult, run_sweep
from model.sweep.spec import SweepSpec, load_sweep, parse_sweep

__all__ = ["Evaluation", "Evaluator", "SweepResult", "SweepSpec", "load_sweep", "parse_sweep",
           "run_sweep"]


class _CallableModule(types.ModuleType):
    """Lets ``model.sweep(spec, ...)`` (docs/design.md §4.3) call :func:`run_sweep` while ``model.sweep``
    stays the package that holds the sweep modules."""

    def __call__(self, spec, **kwargs) -> SweepResult:
        return run_sweep(spec, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
