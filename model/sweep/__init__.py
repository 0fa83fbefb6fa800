"""Sensitivity and uncertainty sweeps (issue 4): Monte Carlo, grid, tornado, Sobol', Morris.

``run_sweep("scenarios/sweeps/oil_lng_uncertainty.toml", out="results", workers=2)`` runs a sweep
file and writes ``results/<name>/``; see :func:`model.sweep.run.run_sweep`. Modules: ``spec``
(file schema), ``samplers`` (distributions, copula, seeding), ``methods`` (designs, indices),
``execute`` (chunks, executors, checkpoints), ``outputs`` and ``plots`` (tables and figures),
``evaluators`` (interface, toy models), ``model_eval`` (binding to the trade model).
"""

from model.sweep.evaluators import Evaluation, Evaluator
from model.sweep.run import SweepResult, run_sweep
from model.sweep.spec import SweepSpec, load_sweep, parse_sweep

__all__ = ["Evaluation", "Evaluator", "SweepResult", "SweepSpec", "load_sweep", "parse_sweep",
           "run_sweep"]
