"""``tradesim rerun DIR/manifest.json``: re-run a recorded result and check it reproduces.

The scenario is rebuilt from the manifest's ``resolved_scenario`` (validated again), projected
with the recorded seed, and its tables are compared with the recorded CSV files text for text.
The answer is "reproduced", or which inputs differ (package version, dataset sha256, git commit)
and which numbers. Exit codes: 0 reproduced, 3 ran but differs, 2 bad input.
"""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from model import __version__
from model.api import run
from model.data import DATASETS, dataset_sha256
from model.errors import InputError
from model.results import Result, git_commit, write_csv, write_result
from model.scenario import validate

TABLES = ("summary.csv", "flows.csv", "routes.csv", "rupee.csv")  # those Result has are compared
NOT_REPRODUCED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rerun", help="re-run a result from its manifest.json and check it reproduces",
        description="Rebuild the scenario recorded in MANIFEST (a result's manifest.json), run it "
                    "with the recorded seed and compare the tables with the recorded ones. "
                    "Prints 'reproduced', or which inputs (package version, dataset sha256, git "
                    "commit) and which numbers differ. Exit 0 reproduced, 3 differs, 2 bad input.")
    p.add_argument("manifest", type=Path, metavar="DIR/manifest.json")
    p.add_argument("--out", type=Path, metavar="DIR2",
                   help="also write the re-run result to DIR2/<name>/ (default: write nothing)")
    p.set_defaults(func=main)


def load_manifest(path: Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"not a readable manifest.json ({err})", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", file=str(path))
    for key in ("resolved_scenario", "seed"):
        if key not in data:
            raise InputError("missing; is this a `tradesim run` manifest?", file=str(path), key=key)
    return data


def input_differences(m: dict[str, Any]) -> list[str]:
    """Recorded inputs that differ from the ones this installation would use."""
    out = []
    if m.get("version") != __version__:
        out.append(f"package version: recorded {m.get('version')}, now {__version__}")
    dataset = m.get("dataset") or m["resolved_scenario"].get("settings", {}).get("dataset")
    if dataset in DATASETS or (dataset and Path(dataset).is_file()):
        now = dataset_sha256(dataset)
        if m.get("data_sha256") != now:
            out.append(f"dataset {dataset} sha256: recorded {str(m.get('data_sha256'))[:12]}, "
                       f"now {now[:12]}")
    commit = git_commit()
    if m.get("git_commit") and commit and m["git_commit"] != commit:
        out.append(f"git commit: recorded {m['git_commit'][:12]}, now {commit[:12]}")
    return out


def table_text(result: Result, name: str) -> str:
    buf = io.StringIO()
    write_csv(getattr(result, name.removesuffix(".csv")), buf)
    return buf.getvalue()


def number_differences(old_text: str, new_text: str, name: str, limit: int = 5) -> list[str]:
    """Human-readable list of the cells that differ between two CSV texts of one table."""
    old, new = pd.read_csv(io.StringIO(old_text)), pd.read_csv(io.StringIO(new_text))
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        return [f"{name}: shape/columns differ ({old.shape} {list(old.columns)} vs "
                f"{new.shape} {list(new.columns)})"]
    out = []
    keys = [c for c in old.columns if not pd.api.types.is_numeric_dtype(old[c])]
    for col in (c for c in old.columns if c not in keys):
        diff = old[col].to_numpy() != new[col].to_numpy()
        for i in diff.nonzero()[0]:
            where = ", ".join(str(old.loc[i, k]) for k in keys)
            out.append(f"{name} [{where}] {col}: recorded {old.loc[i, col]}, "
                       f"now {new.loc[i, col]}")
    more = f" ... and {len(out) - limit} more" if len(out) > limit else ""
    return out[:limit] + ([more] if more else []) or [f"{name}: text differs"]


def main(args: argparse.Namespace) -> int:
    path = args.manifest if args.manifest.is_file() else args.manifest / "manifest.json"
    m = load_manifest(path)
    sc = validate(m["resolved_scenario"], file=f"{path} (resolved_scenario)")
    seed = m["seed"]
    if seed is not None and (not isinstance(seed, int) or seed < 0):
        raise InputError(f"must be a whole number >= 0 or null (got {seed!r})", file=str(path),
                         key="seed")
    result = replace(run(sc, seed=seed), source_file=m.get("scenario_file"))
    diffs: list[str] = []
    for name in TABLES:
        recorded = path.parent / name
        if not recorded.is_file() or not hasattr(result, name.removesuffix(".csv")):
            continue
        old, new = recorded.read_text(encoding="utf-8"), table_text(result, name)
        if old != new:
            diffs += number_differences(old, new, name)
    if args.out is not None:
        write_result(result, args.out, plots=False)
    inputs = input_differences(m)
    if not diffs:
        note = f" (inputs differ but results agree: {'; '.join(inputs)})" if inputs else ""
        print(f"{sc.name}: reproduced{note}")
        return 0
    print(f"{sc.name}: NOT reproduced")
    print("  inputs that differ: " + ("; ".join(inputs) if inputs else
                                      "none recorded (same version, dataset and commit)"))
    for d in diffs:
        print(f"  {d}")
    return NOT_REPRODUCED
