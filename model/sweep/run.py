"""``run_sweep``: validate everything, then evaluate in chunks, then analyse and write.

Order matters for "bad input writes nothing": the spec, parameter paths, outcomes, size limits
and the Dask connection are all checked before the output directory is created.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from model import __version__, resultset
from model.errors import InputError
from model.sweep import methods, outputs
from model.sweep.evaluators import TOYS, as_evaluation
from model.sweep.execute import PATH_LIMIT, ROW_LIMIT, ChunkStore, execute, make_tasks
from model.sweep.spec import SweepSpec, load_sweep

FORMAT = 1                 # bump when chunk files change meaning
MAX_HOURS = 24.0           # refuse sweeps estimated to take longer than this
MAX_BYTES = 4 * 2**30      # refuse sweeps whose in-memory design/tables would exceed this
TARGET_CHUNKS = 64         # default chunking: about this many checkpoints ...
MAX_CHUNK = 2**18          # ... of at most this many rows
PILOT_ROWS = 1024
PILOT_SECONDS = 0.05  # a pilot batch this long times the model well enough
# the sweep's own cost per row (sampling, chunk files, outcome tables): 2.4 s for 229,376 rows
# of a toy model in benchmarks/bench_sweep.py, ~10 us; half of it as a floor for estimates
OVERHEAD_PER_ROW = 5e-6
# Starting a pool of worker processes ('spawn') costs about this much before the first chunk
# runs: interpreter start, importing numpy/pandas/scipy and the model, unpickling the evaluator
# and its first call. Measured on this 2-core machine: 1.53 s for 2 workers with the trade model
# (0.16 s for a bare pool); benchmarks/bench_executor.py re-measures it.
WORKER_STARTUP_S = 1.5
# best speed-up per extra worker process on pure numpy work (machine ceiling 1.8x for 2 processes)
PARALLEL_EFFICIENCY = 0.9


@dataclass
class SweepResult:
    """Tables of a finished sweep (also written to ``out_dir`` unless it is None)."""

    name: str
    method: str
    out_dir: Path | None
    samples: pd.DataFrame
    outcomes: pd.DataFrame
    quantiles: pd.DataFrame
    tornado: pd.DataFrame | None = None
    sobol: pd.DataFrame | None = None
    morris: pd.DataFrame | None = None
    manifest: dict = field(default_factory=dict)


class _MemoryStore:
    """ChunkStore stand-in when no output directory is wanted (notebooks)."""

    def __init__(self) -> None:
        self.chunks: dict[int, dict] = {}

    def write(self, chunk: int, arrays: dict) -> None:
        self.chunks[chunk] = arrays

    def read_all(self, chunks):
        return (self.chunks[c] for c in chunks)


def make_evaluator(spec: SweepSpec, base_dir: Path, file: str | None) -> Any:
    if spec.evaluator in TOYS:
        return TOYS[spec.evaluator]()
    from model.sweep.model_eval import ModelEvaluator

    path = (base_dir / spec.scenario).resolve()
    if not path.is_file():
        raise InputError(f"base scenario {str(path)!r} not found (paths are relative to the "
                         "sweep file)", file=file, key="scenario")
    return ModelEvaluator(path, spec.outcomes, file=file)


def spec_hash(spec: SweepSpec, evaluator: Any) -> str:
    fp = evaluator.fingerprint() if hasattr(evaluator, "fingerprint") else repr(evaluator)
    body = {"format": FORMAT, "evaluator": fp,
            "spec": spec.model_dump(mode="json", exclude={"chunk_size", "name", "description"})}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Pilot:
    """Timing of the model on a growing batch at the inputs' medians (see :func:`_pilot`)."""

    per_row: float      # seconds per row of the last (largest) pilot batch: the size check
    fixed: float = 0.0  # per-call cost (corridor solve etc.), fitted on the last two batches
    marginal: float | None = None  # cost of one more row in a call; None: one batch only

    def estimate(self, n_rows: int, block_size: int) -> float:
        """Seconds to evaluate ``n_rows`` rows in calls of ``block_size`` rows (model only).
        A vectorised model's fixed per-call cost is paid once per block, not per row."""
        if self.marginal is None:
            return n_rows * self.per_row
        return -(-n_rows // block_size) * self.fixed + n_rows * self.marginal


def _pilot(spec: SweepSpec, evaluator: Any, n_rows: int) -> Pilot:
    """Time the model at the medians on a growing batch (1, 16, 256, ... up to PILOT_ROWS rows)
    until a batch takes PILOT_SECONDS: a slow model (DES) is timed on one row, a vectorised one
    on enough rows to see its per-row cost. Checks the outputs' shapes."""
    med = [float(mg.ppf(np.array([0.5]))[0]) for mg in spec.marginals()]
    m, timed = 1, []
    while True:
        inputs = {k: np.full(m, v) for k, v in zip(spec.names, med, strict=True)}
        t0 = time.perf_counter()
        ev = as_evaluation(evaluator(inputs, np.random.default_rng(0)))
        elapsed = time.perf_counter() - t0
        for o in spec.outcomes:
            if o not in ev.outcomes or np.shape(ev.outcomes[o]) != (m,):
                raise RuntimeError(f"evaluator did not return outcome {o!r} with shape ({m},)")
        timed.append((m, elapsed))
        if elapsed >= PILOT_SECONDS or m >= min(n_rows, PILOT_ROWS):
            break
        m = min(m * 16, n_rows, PILOT_ROWS)
    if len(timed) < 2:
        return Pilot(elapsed / m)
    (m1, t1), (m2, t2) = timed[-2:]
    marginal = max((t2 - t1) / (m2 - m1), 0.0)
    return Pilot(elapsed / m, fixed=max(t2 - marginal * m2, 0.0), marginal=marginal)


@dataclass(frozen=True)
class ExecutorChoice:
    """Which executor runs the chunks, and why (``note`` is printed on stderr when set)."""

    kind: str          # "serial" | "processes" | "dask"
    workers: int       # worker processes actually used (1 when serial)
    est_seconds: float  # estimated compute of the whole sweep, serially
    note: str | None = None


def choose_executor(n_rows: int, est: float, workers: int, *, dask: bool = False,
                    force: bool = False, cpus: int | None = None,
                    startup_s: float = WORKER_STARTUP_S) -> ExecutorChoice:
    """Serial unless worker processes are estimated to pay for their start-up.

    With ``workers`` > 1 the sweep runs in a process pool only if ``startup_s + est / speedup``
    is below ``est``, the estimated serial compute in seconds (from the pilot run,
    :meth:`Prepared.estimated_seconds`; ``speedup = PARALLEL_EFFICIENCY * min(workers, cpus)``);
    otherwise it runs serially and says so (``note``). ``force`` keeps the pool regardless; Dask
    (its workers are already running) is never overridden.
    Results are identical whichever executor runs (see :mod:`model.sweep.execute`).
    """
    if dask:
        return ExecutorChoice("dask", workers, est)
    if workers <= 1:
        return ExecutorChoice("serial", 1, est)
    if force:
        return ExecutorChoice("processes", workers, est)
    usable = min(workers, cpus if cpus is not None else (os.cpu_count() or 1))
    speedup = PARALLEL_EFFICIENCY * usable
    if usable >= 2 and startup_s + est / speedup < est:
        return ExecutorChoice("processes", workers, est)
    why = (f"this machine has {usable} CPU" if usable < 2 else
           f"starting {workers} worker processes costs about {startup_s:.1f} s, more than "
           "they would save")
    return ExecutorChoice("serial", 1, est, f"{n_rows:,} samples, est. {est:.2g} s: running "
                          f"serially; --workers ignored ({why})")


def check_size(spec: SweepSpec, n_rows: int, sec_per_row: float, workers: int,
               file: str | None) -> None:
    """Refuse, with the estimate, sweeps that would take too long or too much memory."""
    d, k = len(spec.parameters), len(spec.outcomes)
    mem = PATH_LIMIT * 2 * 12 * 8 * 2
    if methods.materialised(spec):  # the design, plus every row's inputs and outcomes recorded
        mem += n_rows * d * 8 * 2 + n_rows * (d + k) * 8 * 3
    else:
        mem += min(n_rows, ROW_LIMIT) * (d + k) * 8 * 3
    hours = n_rows * sec_per_row / max(1, workers) / 3600
    if hours > MAX_HOURS or mem > MAX_BYTES:
        raise InputError(
            f"{n_rows:,} model evaluations would take about {hours:,.3g} hours "
            f"({sec_per_row * 1e6:.3g} µs each on {workers} worker(s)) and need about "
            f"{mem / 2**30:,.3g} GB of memory; limits are {MAX_HOURS:g} hours and "
            f"{MAX_BYTES / 2**30:g} GB" + (
                "; sampler 'random' or 'sobol' streams without holding the design"
                if methods.materialised(spec) and spec.method == "montecarlo" else "")
            + "; reduce n (or the grid levels)", file=file, key="n")


def default_chunk_size(spec: SweepSpec, n_rows: int) -> int:
    bs = spec.block_size
    want = min(max(n_rows // TARGET_CHUNKS, bs), MAX_CHUNK)
    return -(-want // bs) * bs


def _connect(address: str) -> Any:
    if not address.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise InputError(f"expected an address like tcp://HOST:PORT (got {address!r})",
                         key="--dask-address")
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot connect to the Dask scheduler at {address}: {exc}",
                         key="--dask-address") from None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


@dataclass
class Prepared:
    """A sweep checked as far as possible without writing anything (see :func:`prepare`)."""

    spec: SweepSpec
    base_dir: Path
    file: str | None
    evaluator: Any
    n_rows: int
    pilot: Pilot

    def estimated_seconds(self) -> float:
        """Serial compute of the whole sweep: the model (pilot fit) plus the sweep's own cost."""
        return (self.pilot.estimate(self.n_rows, self.spec.block_size)
                + self.n_rows * OVERHEAD_PER_ROW)


def prepare(spec: SweepSpec | str | os.PathLike, *, evaluator: Any = None, workers: int = 1,
            chunk_size: int | None = None, base_dir: str | os.PathLike | None = None
            ) -> Prepared:
    """Load and check a sweep as ``run_sweep`` does before it writes anything: the spec, the base
    scenario, parameter paths and ranges, outcomes, and the size limits (a short pilot run times
    the model). ``tradesim validate`` calls this too. Raises InputError."""
    spec, bdir, file = _read_spec(spec, base_dir)
    _check_options(workers, chunk_size)
    evaluator = evaluator if evaluator is not None else make_evaluator(spec, bdir, file)
    if hasattr(evaluator, "validate"):
        evaluator.validate(spec.names, spec.outcomes, file)
    if hasattr(evaluator, "check_ranges"):
        evaluator.check_ranges({n: p.marginal().support() for n, p in spec.parameters.items()},
                               file)
    if hasattr(evaluator, "check_values"):
        evaluator.check_values(spec.parameters, file)
    n_rows = methods.design_rows(spec)
    if n_rows > 2**40:  # too big even to try a pilot run
        check_size(spec, n_rows, 1e-6, workers, file)
    pilot = _pilot(spec, evaluator, n_rows)
    check_size(spec, n_rows, pilot.per_row + OVERHEAD_PER_ROW, workers, file)
    return Prepared(spec, bdir, file, evaluator, n_rows, pilot)


def run_sweep(
    spec: SweepSpec | str | os.PathLike,
    *,
    out: str | os.PathLike | None = "results",
    evaluator: Any = None,
    workers: int = 1,
    dask_address: str | None = None,
    client: Any = None,
    resume: bool = False,
    chunk_size: int | None = None,
    progress: bool | None = None,
    plots: bool = True,
    base_dir: str | os.PathLike | None = None,
    force_workers: bool = False,
) -> SweepResult:
    """Run a sensitivity/uncertainty sweep and write ``out/<name>/``.

    Parameters
    ----------
    spec : a sweep file path or a validated :class:`SweepSpec`.
    out : output root (``None``: keep everything in memory, no checkpoints).
    evaluator : callable ``(inputs, rng) -> outcomes``; default from ``spec.evaluator``
        (the real model on ``spec.scenario`` or a built-in toy).
    workers : local worker processes (1 = serial in this process). A sweep whose estimated
        compute is below the cost of starting them runs serially instead, with a note on stderr
        (:func:`choose_executor`); ``force_workers=True`` keeps the pool.
    dask_address, client : run chunks on a Dask cluster (an address or a ``distributed.Client``).
    resume : skip chunks already on disk (the checkpoint must be from the same spec and model).
    chunk_size : rows per chunk/checkpoint, rounded up to a multiple of ``spec.block_size``;
        results do not depend on it.
    progress : progress bar on stderr; default only when stderr is a terminal.
    base_dir : directory the spec's ``scenario`` is relative to, when ``spec`` is not a file.
    """
    p = prepare(spec, evaluator=evaluator, workers=workers, chunk_size=chunk_size,
                base_dir=base_dir)
    spec, file, evaluator, n_rows = p.spec, p.file, p.evaluator, p.n_rows

    digest = spec_hash(spec, evaluator)
    out_dir = None if out is None else Path(out) / spec.name
    if out_dir is not None:
        from model.results import claim_destination

        try:
            claim_destination(out_dir, "sweep")
        except InputError as err:
            raise err.with_file(str(file)) from None
    store = None if out_dir is None else ChunkStore(checkpoint_dir(out_dir))
    header = None
    if resume and store is not None:
        header = (_checkpoint_header(store, digest, file)
                  or _committed_header(out_dir, digest, file))
    size = _chunk_size(spec, n_rows, chunk_size or spec.chunk_size, header)
    n_chunks = -(-n_rows // size)

    own_client = None
    if client is None and dask_address is not None:
        client = own_client = _connect(dask_address)
    with contextlib.ExitStack() as stack:
        try:
            design = methods.build_design(spec)  # last step that may fail on input
            if store is None:
                store, done = _MemoryStore(), set()
            else:  # one writer per checkpoint; the previous result stays until the new commits
                stack.enter_context(resultset.locked(store.root))
                store.remove_temp()
                if header is not None and store.header() is None:
                    _seed_checkpoint(out_dir, store)
                if header is None:
                    store.reset({"hash": digest, "chunk_size": size, "n_rows": n_rows,
                                 "n_chunks": n_chunks, "format": FORMAT})
                done = store.done(n_chunks)
            tasks = make_tasks(design, [c for c in range(n_chunks) if c not in done], size,
                               names=tuple(spec.names), outcomes=tuple(spec.outcomes),
                               evaluator=evaluator, seed=spec.seed, block_size=spec.block_size)
            todo = sum(t.stop - t.start for t in tasks)  # rows left (fewer when resuming)
            choice = choose_executor(todo, p.estimated_seconds() * todo / n_rows, workers,
                                     dask=client is not None, force=force_workers)
            kind = choice.kind
            if choice.note:
                print(f"tradesim sweep: {choice.note}", file=sys.stderr)
            show = sys.stderr.isatty() if progress is None else progress
            t0 = time.perf_counter()
            _evaluate(tasks, store, kind=kind, workers=choice.workers, client=client,
                      show=show, n_rows=n_rows, desc=spec.name)
            elapsed = time.perf_counter() - t0
        finally:
            if own_client is not None:
                own_client.close()
        return _finish(spec, design, store, n_chunks, out_dir, file=file, digest=digest,
                       meta={"executor": kind, "workers": choice.workers,
                             "workers_requested": workers,
                             "estimated_compute_s": round(choice.est_seconds, 3),
                             "executor_note": choice.note, "chunk_size": size,
                             "n_chunks": n_chunks, "resumed_chunks": len(done),
                             "elapsed_s": round(elapsed, 3)}, plots=plots)


def checkpoint_dir(out_dir: Path) -> Path:
    """Where a sweep's chunk files live until its result set is committed (then ``chunks/``)."""
    return Path(out_dir).with_name(f".{Path(out_dir).name}.checkpoint")


def _committed_header(out_dir: Path, digest: str, file: str | None) -> dict | None:
    """The checkpoint header of the committed result set, to resume from its chunk files."""
    m = resultset.read_manifest(out_dir)
    sums = (m or {}).get("sha256") or {}
    path = out_dir / "chunks" / "checkpoint.json"
    if "chunks/checkpoint.json" not in sums or not path.is_file() \
            or resultset.sha256_file(path) != sums["chunks/checkpoint.json"]:
        return None  # only a set that matches its manifest is trusted
    return _checkpoint_header(ChunkStore(out_dir / "chunks"), digest, file)


def _seed_checkpoint(out_dir: Path, store: ChunkStore) -> None:
    """Copy the committed set's chunk files that match its manifest into the checkpoint."""
    sums = (resultset.read_manifest(out_dir) or {}).get("sha256") or {}
    for rel, digest in sums.items():
        src = out_dir / rel
        if rel.startswith("chunks/") and src.is_file() and resultset.sha256_file(src) == digest:
            shutil.copy2(src, store.root / src.name)


def _read_spec(spec: SweepSpec | str | os.PathLike, base_dir: str | os.PathLike | None
               ) -> tuple[SweepSpec, Path, str | None]:
    if isinstance(spec, SweepSpec):
        return spec, Path(base_dir or "."), None
    loaded, bdir = load_sweep(spec)
    return loaded, bdir, str(spec)


def _check_options(workers: Any, chunk_size: Any) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"must be a whole number >= 1 (got {workers!r})", key="--workers")
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        raise InputError(f"must be a whole number >= 1 (got {chunk_size!r})", key="--chunk-size")


def _checkpoint_header(store: ChunkStore | None, digest: str, file: str | None = None
                       ) -> dict | None:
    """The header of a checkpoint to resume, after checking it belongs to this sweep."""
    header = store.header() if store is not None else None
    if header is not None and header.get("hash") != digest:
        raise InputError(f"the checkpoint {store.header_path} was written by a different sweep "
                         "(spec, scenario or model changed); run without --resume to start "
                         "afresh", file=file, key="--resume")
    return header


def _chunk_size(spec: SweepSpec, n_rows: int, asked: int | None, header: dict | None) -> int:
    """Rows per chunk: asked, or the checkpoint's, or automatic; a whole number of blocks."""
    bs = spec.block_size
    rounded = None if asked is None else -(-asked // bs) * bs
    if header is not None:
        if rounded is not None and rounded != header["chunk_size"]:
            raise InputError(f"the checkpoint uses chunk size {header['chunk_size']}; resume "
                             "with that size or without --chunk-size", key="--chunk-size")
        return header["chunk_size"]
    return rounded or default_chunk_size(spec, n_rows)


def _evaluate(tasks: list, store: Any, *, kind: str, workers: int, client: Any, show: bool,
              n_rows: int, desc: str) -> None:
    """Run the tasks, writing each finished chunk as it arrives; progress bar if ``show``."""
    remaining = sum(t.stop - t.start for t in tasks)
    size_of = {t.chunk: t.stop - t.start for t in tasks}
    with tqdm(total=n_rows, initial=n_rows - remaining, unit="sample", unit_scale=True,
              disable=not show, desc=desc, file=sys.stderr) as bar:
        for chunk, arrays in execute(tasks, kind=kind, workers=workers, client=client):
            store.write(chunk, arrays)
            bar.update(size_of[chunk])


def _finish(spec: SweepSpec, design: methods.Design, store: Any, n_chunks: int,
            out_dir: Path | None, *, file: str | None, digest: str, meta: Mapping,
            plots: bool) -> SweepResult:
    c = outputs.collect(store.read_all(range(n_chunks)))
    samples = outputs.samples_table(c, spec.names)
    outs = outputs.outcomes_table(c, spec.outcomes)
    quant = outputs.quantiles_table(c, spec.outcomes)
    full = len(c.row_index) == design.n_rows
    tornado = methods.tornado_table(spec, c.X, c.Y) if spec.method == "tornado" else None
    sobol = methods.sobol_table(spec, c.Y) if spec.method == "sobol" else None
    morris = methods.morris_table(spec, design.unit, c.Y) if spec.method == "morris" else None
    notes = outputs.undefined_notes(quant) + methods.analysis_notes(
        spec.method, next((df for df in (tornado, sobol, morris) if df is not None), None))
    for note in notes:
        print(f"tradesim sweep: note: {note}", file=sys.stderr)
    manifest = {
        "sweep": spec.name, "sweep_file": file, "method": spec.method,
        "spec": spec.model_dump(mode="json"), "seed": spec.seed, "spec_hash": digest,
        "n_rows": design.n_rows, "recorded_rows": len(c.row_index),
        "rows_note": "all rows" if full else
        f"samples/outcomes.csv hold a deterministic hash-selected subset of {len(c.row_index):,}"
        f" rows (limit {ROW_LIMIT:,}); quantiles from {0 if c.paths is None else len(c.paths):,}"
        " rows; means over all rows",
        "notes": notes, **meta, "version": __version__, "git_commit": _git_commit(),
        "python": platform.python_version(), "numpy": np.__version__,
        "time_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    result = SweepResult(spec.name, spec.method, out_dir, samples, outs, quant, tornado, sobol,
                         morris, manifest)
    if out_dir is not None:
        _write(result, spec, plots, store)
    return result


def _write(r: SweepResult, spec: SweepSpec, plots: bool, store: ChunkStore) -> None:
    """Stage the sweep's files and its chunks, seal, commit as one set under the lock."""
    from model.results import claim_destination

    with resultset.staged(r.out_dir) as d:
        _write_files(d, r, spec, plots)
        store.root.rename(d / "chunks")  # the checkpoint becomes part of the set ...
        try:
            r.manifest = resultset.seal(d, r.manifest)
            with resultset.locked(r.out_dir.parent):
                claim_destination(r.out_dir, "sweep")
                resultset.publish(d, r.out_dir)
        except BaseException:
            if (d / "chunks").is_dir():  # ... unless it failed: keep it for --resume
                (d / "chunks").rename(store.root)
            raise


def _write_files(d: Path, r: SweepResult, spec: SweepSpec, plots: bool) -> None:
    outputs.write_csv(d / "samples.csv", r.samples)
    outputs.write_csv(d / "outcomes.csv", r.outcomes)
    outputs.write_csv(d / "quantiles.csv", r.quantiles)
    for name, df in (("tornado.csv", r.tornado), ("sobol.csv", r.sobol),
                     ("morris.csv", r.morris)):
        if df is not None:
            outputs.write_csv(d / name, df)
    if plots:
        r.manifest["plots"] = outputs.write_plots(
            d, outcomes=spec.outcomes, quantiles=r.quantiles, samples=r.samples,
            outcome_df=r.outcomes, tornado=r.tornado, sobol=r.sobol, morris=r.morris,
            scatter=spec.method in ("montecarlo", "sobol", "grid"),
            fan=spec.method in ("montecarlo", "sobol"),  # rows are draws of the distribution
            name=spec.name)
