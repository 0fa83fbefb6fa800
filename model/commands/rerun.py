"""``tradesim rerun DIR/manifest.json``: re-run a recorded result and check it reproduces.

The scenario is rebuilt from the manifest's ``resolved_scenario`` (validated again), projected
with the recorded seed, and every table its manifest lists (summary, flows, routes, rupee,
crude bill, markets, corridors) is compared with the recorded CSV text for text; plots and reports are
named as not compared, and a set that no longer matches its manifest's sha256 is reported. The
answer is "reproduced" with the tables compared, or which inputs differ (package version,
dataset sha256, git commit) and which numbers; a malformed table is one line of the answer.
Exit codes: 0 reproduced, 3 ran but differs, 2 bad input.
"""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from model import __version__, resultset
from model.api import run
from model.data import DATASETS, dataset_sha256
from model.errors import InputError
from model.inputs import MAX_DEPTH, check_depth, read_input_text
from model.results import TABLES, Result, git_commit, write_csv, write_result
from model.scenario import validate

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
        data = json.loads(read_input_text(path, what="manifest.json (JSON)"))
    except json.JSONDecodeError as err:
        raise InputError(f"not a readable manifest.json ({err})", file=str(path)) from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=str(path)) from None
    check_depth(data, file=str(path))
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


def table_text(result: Result, name: str) -> str | None:
    """The CSV text the re-run writes for table ``name`` (None: the re-run has no such table)."""
    df = TABLES[name](result)
    if df is None:
        return None
    buf = io.StringIO()
    write_csv(df, buf)
    return buf.getvalue()


def number_differences(old_text: str, new_text: str, name: str, limit: int = 5) -> list[str]:
    """Human-readable list of the cells that differ between two CSV texts of one table."""
    try:
        old = pd.read_csv(io.StringIO(old_text))
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        return [f"{name}: malformed table ({str(err).splitlines()[0] if str(err) else err!r})"]
    new = pd.read_csv(io.StringIO(new_text))
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        return [f"{name}: shape/columns differ ({old.shape} {list(old.columns)} vs "
                f"{new.shape} {list(new.columns)})"]
    out = []
    keys = [c for c in old.columns if not pd.api.types.is_numeric_dtype(old[c])]
    for col in (c for c in old.columns if c not in keys):
        a, b = old[col].to_numpy(), new[col].to_numpy()
        diff = (a != b) & ~(pd.isna(a) & pd.isna(b))  # empty cells (NaN) agree
        for i in diff.nonzero()[0]:
            where = ", ".join(str(old.loc[i, k]) for k in keys)
            out.append(f"{name} [{where}] {col}: recorded {old.loc[i, col]}, "
                       f"now {new.loc[i, col]}")
    more = f" ... and {len(out) - limit} more" if len(out) > limit else ""
    return out[:limit] + ([more] if more else []) or [f"{name}: text differs"]


def listed_files(m: dict[str, Any], directory: Path) -> list[str]:
    """The files the manifest lists (its sha256 table; older manifests: ``files``)."""
    listed = m.get("sha256") if isinstance(m.get("sha256"), dict) else m.get("files")
    if not isinstance(listed, dict | list):
        raise InputError("lists no files; is this a `tradesim run` manifest?",
                         file=str(directory / "manifest.json"), key="files")
    return sorted(str(f) for f in listed if str(f) != "manifest.json")


def compare(result: Result, directory: Path, files: list[str]) -> tuple[list[str], list[str]]:
    """(tables compared, differences) for every table the manifest lists."""
    compared, diffs = [], []
    for name in files:
        if name not in TABLES:
            continue
        compared.append(name)
        new = table_text(result, name)
        try:
            old = (directory / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            diffs.append(f"{name}: listed in the manifest but missing")
            continue
        except (OSError, UnicodeDecodeError) as err:
            diffs.append(f"{name}: malformed table ({err})")
            continue
        if new is None:
            diffs.append(f"{name}: recorded, but the re-run produces no such table")
        elif old != new:
            diffs += number_differences(old, new, name)
    return compared, diffs


def main(args: argparse.Namespace) -> int:
    path = args.manifest / "manifest.json" if args.manifest.is_dir() else args.manifest
    m = load_manifest(path)
    sc = validate(m["resolved_scenario"], file=f"{path} (resolved_scenario)")
    seed = m["seed"]
    if seed is not None and (not isinstance(seed, int) or seed < 0):
        raise InputError(f"must be a whole number >= 0 or null (got {seed!r})", file=str(path),
                         key="seed")
    files = listed_files(m, path.parent)
    result = replace(run(sc, seed=seed), source_file=m.get("scenario_file"))
    compared, diffs = compare(result, path.parent, files)
    integrity = resultset.verify(path.parent, m) if "sha256" in m else []
    skipped = [f for f in files if f not in TABLES]
    if args.out is not None:
        write_result(result, args.out, plots=False)
    inputs = input_differences(m)
    if not compared:
        print(f"{sc.name}: NOT reproduced: the manifest lists no table to compare "
              f"(listed: {', '.join(files) or 'nothing'})")
        return NOT_REPRODUCED
    what = f"compared {len(compared)} tables: {', '.join(compared)}" + (
        f"; not compared (plots, reports): {len(skipped)} files" if skipped else "")
    if not diffs and not integrity:
        note = f"; inputs differ but results agree: {'; '.join(inputs)}" if inputs else ""
        print(f"{sc.name}: reproduced ({what}{note})")
        return 0
    print(f"{sc.name}: NOT reproduced ({what})")
    print("  inputs that differ: " + ("; ".join(inputs) if inputs else
                                      "none recorded (same version, dataset and commit)"))
    for d in integrity:
        print(f"  recorded set: {d}")
    for d in diffs:
        print(f"  {d}")
    return NOT_REPRODUCED
