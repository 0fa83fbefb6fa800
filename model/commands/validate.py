"""``tradesim validate``: check scenario and sweep files, write nothing.

A file is a sweep file when its top level has a key only sweep files have (``method``,
``parameters``, ``outcomes``, ...; see :data:`SWEEP_KEYS`) and none only scenario files have
(``extends``, ``levers``, ...): it is then checked by the same code
``tradesim sweep`` runs before it writes anything (:func:`model.sweep.run.prepare`: the spec, the
base scenario, parameter paths and their ranges, outcomes, size limits). Anything else is read as
a scenario file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.errors import InputError
from model.fiscal import fy_label
from model.inputs import loads_toml, read_input_text
from model.scenario import load_scenario

# top-level keys of a sweep file that no scenario file has (scenario files reject them)
SWEEP_KEYS = frozenset({"method", "parameters", "outcomes", "sampler", "evaluator",
                        "correlations", "n", "block_size", "chunk_size", "scenario"})
# top-level keys of a scenario file that no sweep file has: with these it stays a scenario file
# (whose loader then names any sweep key as unknown)
SCENARIO_KEYS = frozenset({"extends", "settings", "macro", "levers", "corridors", "flows",
                           "triggers"})


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario or sweep files (writes nothing)",
                       description="Read, layer and validate each file; exit 2 at the first "
                                   "problem with a message naming the file and key path. "
                                   "Sweep files (a top-level method/parameters/outcomes) are "
                                   "checked as `tradesim sweep` checks them before running.")
    p.add_argument("files", nargs="+", metavar="FILE.toml", type=Path)
    p.set_defaults(func=main)


def is_sweep_file(path: Path) -> bool:
    """True if ``path`` reads as TOML with a sweep-only top-level key. Unreadable files are left
    to the scenario loader, which reports them."""
    try:
        data = loads_toml(read_input_text(path), file=str(path))
    except InputError:
        return False
    return bool(SWEEP_KEYS & set(data)) and not SCENARIO_KEYS & set(data)


def check_sweep(path: Path) -> str:
    from model.sweep.run import prepare  # the sweep stack is imported only when needed

    p = prepare(path)
    spec = p.spec
    how = f"method {spec.method}" + (f", sampler {spec.effective_sampler}"
                                     if spec.method == "montecarlo" else "")
    runs = f"{p.n_rows:,} samples" + (f" (n = {spec.n:,} {_N_MEANS[spec.method]})"
                                      if spec.method in _N_MEANS else "")
    return (f"{path}: ok (sweep '{spec.name}', {how}, {runs}, {len(spec.parameters)} "
            f"parameters, est. {p.estimated_seconds():.2g} s)")


_N_MEANS = {"sobol": "base points", "morris": "trajectories"}


def main(args: argparse.Namespace) -> int:
    for path in args.files:
        if is_sweep_file(path):
            print(check_sweep(path))
            continue
        sc = load_scenario(path)
        print(f"{path}: ok (scenario '{sc.name}', horizon to FY{fy_label(sc.settings.horizon_end)})")
    return 0
