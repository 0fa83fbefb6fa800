"""Chunked evaluation: tasks, executors (serial, processes, Dask), checkpoint files, resume.

A chunk is ``chunk_size`` consecutive design rows (a whole number of blocks). A worker evaluates
its chunk block by block (the block is the unit of seeding, see :mod:`model.sweep.samplers`) and
returns arrays; the driver writes each finished chunk atomically to ``chunks/chunk_NNNNNN.npz``.

What a chunk file holds (so 10^7 samples stream in bounded memory):

* ``row_index, X, Y``: inputs and scalar outcomes of the *recorded* rows: every row of an
  in-memory design (grid, tornado, Sobol', Morris, Latin hypercube: their analyses need all rows,
  and their size is checked up front); for streamed Monte Carlo every row up to
  :data:`ROW_LIMIT` rows, else a deterministic pseudo-random subset of about ROW_LIMIT rows chosen
  by a hash of (seed, global row index);
* ``path_index, paths``: year paths (balance, total trade) of the rows kept for quantiles and fan
  charts, chosen the same way with :data:`PATH_LIMIT` (quantiles are exact below it, estimated
  from ~2^17 rows above it: the P5 is then within about +-0.15 percentile points);
* ``path_sum, path_count``: per-block sums of the paths over *all* rows (exact means).

The subsets depend only on the global row index, so results are identical whatever the chunking.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from model.sweep.evaluators import PATH_METRICS, as_evaluation
from model.sweep.methods import Design, StreamRecipe
from model.sweep.samplers import block_seed

ROW_LIMIT = 1_000_000
PATH_LIMIT = 2**17
CHUNK_NAME = "chunk_{:06d}.npz"


def keep_mask(index: np.ndarray, n_rows: int, limit: int, seed: int) -> np.ndarray:
    """Deterministic subset of rows, ~limit of n_rows, by a splitmix64 hash of the row index."""
    if n_rows <= limit:
        return np.ones(len(index), dtype=bool)
    mult = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB], dtype=np.uint64)
    z = index.astype(np.uint64) + np.array([seed % 2**63], dtype=np.uint64) * mult[0]  # wraps
    z = (z ^ (z >> np.uint64(30))) * mult[1]
    z = (z ^ (z >> np.uint64(27))) * mult[2]
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 < limit / n_rows


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one chunk (picklable)."""

    chunk: int
    start: int
    stop: int
    names: tuple[str, ...]
    outcomes: tuple[str, ...]
    evaluator: Any
    seed: int
    block_size: int
    n_rows: int
    X: np.ndarray | None = None          # the chunk's rows of an in-memory design
    stream: StreamRecipe | None = None   # or the recipe to generate them


def make_tasks(design: Design, chunks: Sequence[int], chunk_size: int, **common: Any
               ) -> list[Task]:
    tasks = []
    for c in chunks:
        start, stop = c * chunk_size, min((c + 1) * chunk_size, design.n_rows)
        X = None if design.X is None else np.ascontiguousarray(design.X[start:stop])
        tasks.append(Task(c, start, stop, X=X, stream=design.stream, n_rows=design.n_rows,
                          **common))
    return tasks


def run_chunk(task: Task) -> dict[str, np.ndarray]:
    """Evaluate one chunk block by block; return the arrays of its chunk file."""
    X = task.X if task.X is not None else task.stream.rows(task.start, task.stop)
    bs = task.block_size
    Ys, sums, counts, paths, years = [], [], [], [], None
    for b0 in range(task.start, task.stop, bs):
        rows = X[b0 - task.start: min(b0 + bs, task.stop) - task.start]
        rng = np.random.default_rng(block_seed(task.seed, 2, b0 // bs))
        ev = as_evaluation(task.evaluator({k: rows[:, j] for j, k in enumerate(task.names)}, rng))
        Ys.append(np.column_stack([np.asarray(ev.outcomes[o], dtype=float)
                                   for o in task.outcomes]))
        if ev.paths:
            p = np.stack([np.asarray(ev.paths[m], dtype=float) for m in PATH_METRICS], axis=1)
            paths.append(p)
            sums.append(p.sum(axis=0))
            counts.append(len(p))
            years = np.asarray(ev.years)
    index = np.arange(task.start, task.stop)
    limit = task.n_rows if task.stream is None else ROW_LIMIT  # in-memory designs: every row
    keep = keep_mask(index, task.n_rows, limit, task.seed)
    Y = np.vstack(Ys)
    out = {"row_index": index[keep], "X": X[keep], "Y": Y[keep]}
    if paths:
        pkeep = keep_mask(index, task.n_rows, PATH_LIMIT, task.seed ^ 0x5A5A)
        out |= {"path_index": index[pkeep], "paths": np.vstack(paths)[pkeep],
                "path_sum": np.stack(sums), "path_count": np.array(counts), "years": years}
    return out


# --- executors: one signature, chosen from a registry ------------------------------------


def _serial(tasks: list[Task], func: Callable, **_: Any) -> Iterator[tuple[int, dict]]:
    for t in tasks:
        yield t.chunk, func(t)


def _processes(tasks: list[Task], func: Callable, *, workers: int, **_: Any
               ) -> Iterator[tuple[int, dict]]:
    # 'spawn' explicitly for this pool only: never fork a process that may hold threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(func, t): t.chunk for t in tasks}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()


def _dask(tasks: list[Task], func: Callable, *, client: Any, **_: Any
          ) -> Iterator[tuple[int, dict]]:
    from distributed import as_completed as dask_completed

    futures = client.map(func, tasks, pure=False)
    chunk_of = {f.key: t.chunk for f, t in zip(futures, tasks, strict=True)}
    try:
        for fut, result in dask_completed(futures, with_results=True):
            yield chunk_of[fut.key], result
    finally:
        client.cancel(futures)


EXECUTORS = {"serial": _serial, "processes": _processes, "dask": _dask}


def execute(tasks: list[Task], *, kind: str, workers: int = 1, client: Any = None
            ) -> Iterator[tuple[int, dict]]:
    """Yield (chunk index, arrays) as chunks finish, in any order."""
    if not tasks:
        return iter(())
    return EXECUTORS[kind](tasks, run_chunk, workers=workers, client=client)


# --- checkpoint files ---------------------------------------------------------------------


def atomic_write(path: Path, write: Callable[[Any], None], *, binary: bool = True) -> None:
    """Write via a temp file in the same directory, fsync, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class ChunkStore:
    """The ``chunks/`` directory of one sweep: a header plus one file per finished chunk."""

    def __init__(self, root: Path):
        self.root = root
        self.header_path = root / "checkpoint.json"

    def path(self, chunk: int) -> Path:
        return self.root / CHUNK_NAME.format(chunk)

    def header(self) -> dict | None:
        try:
            return json.loads(self.header_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def reset(self, header: dict) -> None:
        """Start afresh: remove our old chunk files and temp files, write the header."""
        if self.root.exists():
            for p in self.root.glob("chunk_*.npz"):
                p.unlink()
        self.remove_temp()
        atomic_write(self.header_path, lambda f: f.write(json.dumps(header, indent=1)),
                     binary=False)

    def remove_temp(self) -> None:
        """Delete temp files a killed run left half-written (never mistaken for chunks)."""
        if self.root.exists():
            for p in self.root.glob(".chunk_*.tmp"):
                p.unlink(missing_ok=True)

    def done(self, n_chunks: int) -> set[int]:
        return {c for c in range(n_chunks) if self.path(c).exists()}

    def write(self, chunk: int, arrays: dict[str, np.ndarray]) -> None:
        atomic_write(self.path(chunk), lambda f: np.savez(f, **arrays))

    def read(self, chunk: int) -> dict[str, np.ndarray]:
        with np.load(self.path(chunk)) as z:
            return {k: z[k] for k in z.files}

    def read_all(self, chunks: Iterable[int]) -> Iterator[dict[str, np.ndarray]]:
        for c in chunks:
            yield self.read(c)
