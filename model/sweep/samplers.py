"""Marginal distributions, the Gaussian copula and point generators for sweeps.

Every sampler works in the unit hypercube first (``u`` in ``(0, 1)^d``), then maps each column
through its marginal's inverse CDF (``ppf``). Correlations are imposed in between by a Gaussian
copula: ``z = Phi^-1(u)``, ``z' = z L^T`` with ``L`` the Cholesky factor of the correlation matrix,
``u' = Phi(z')``. ``rho`` in a sweep file is therefore the correlation of the normal scores.

Seeding (docs/design.md §5): one master seed. ``SeedSequence(seed).spawn`` gives three streams, identified
by their spawn key so that any worker can rebuild them without the driver:

* ``(0,)``     the design-level stream (Latin hypercube, Sobol' scrambling, Morris trajectories);
* ``(1, b)``   the input points of block ``b`` for streamed random Monte Carlo;
* ``(2, b)``   the model's own random numbers for block ``b`` (passed to the evaluator);
* ``(3,)``     the analyses' resampling (Sobol' bootstrap, Morris confidence intervals).

A *block* is a fixed run of ``block_size`` consecutive design rows; chunks are whole numbers of
blocks. Because nothing random depends on the chunk, results are identical whatever the chunk size,
executor or worker count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from scipy.stats import qmc

_EPS = 2.0**-53  # keeps ppf of unbounded marginals finite


def design_seed(seed: int) -> np.random.SeedSequence:
    """Stream for design-level randomness: child ``(0,)`` of the master seed."""
    return np.random.SeedSequence(seed, spawn_key=(0,))


def block_seed(seed: int, stream: int, block: int) -> np.random.SeedSequence:
    """Child ``(stream, block)`` of the master seed: ``spawn(..)[stream].spawn(..)[block]``."""
    return np.random.SeedSequence(seed, spawn_key=(stream, block))


@dataclass(frozen=True)
class Marginal:
    """One input's distribution: a name plus its numeric parameters.

    ``kind`` is one of ``uniform`` (low, high), ``triangular`` (low, mode, high), ``normal``
    (mean, sd, optional truncation low/high), ``lognormal`` (median, sigma of log), ``discrete``
    (choices, weights).
    """

    kind: str
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    choices: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    @property
    def bounded(self) -> bool:
        return self.kind in ("uniform", "triangular", "discrete") or (
            self.low is not None and self.high is not None
        )

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the sampler can produce (unbounded tails are cut where
        :meth:`ppf` clips the unit interval)."""
        if self.kind == "discrete":
            return min(self.choices), max(self.choices)
        ends = self.ppf(np.array([0.0, 1.0]))
        return float(ends.min()), float(ends.max())

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF, elementwise (rows are independent of each other)."""
        u = np.asarray(u, dtype=float)
        k = self.kind
        if k == "uniform":
            return self.low + u * (self.high - self.low)
        if k == "triangular":
            scale = self.high - self.low
            c = (self.mode - self.low) / scale
            return stats.triang.ppf(u, c, loc=self.low, scale=scale)
        if k == "normal":
            if self.low is None and self.high is None:
                return self.mean + self.sd * special.ndtri(np.clip(u, _EPS, 1 - _EPS))
            lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd
            hi = np.inf if self.high is None else (self.high - self.mean) / self.sd
            return stats.truncnorm.ppf(u, lo, hi, loc=self.mean, scale=self.sd)
        if k == "lognormal":
            return self.median * np.exp(self.sigma * special.ndtri(np.clip(u, _EPS, 1 - _EPS)))
        if k == "discrete":
            w = np.asarray(self.weights or [1.0] * len(self.choices), dtype=float)
            cum = np.cumsum(w / w.sum())
            idx = np.minimum(np.searchsorted(cum, u, side="right"), len(self.choices) - 1)
            return np.asarray(self.choices, dtype=float)[idx]
        raise ValueError(f"unknown distribution {k!r}")

    def levels(self, k: int) -> np.ndarray:
        """Grid levels: the choices, the range end to end, or ``k`` mid-quantiles if unbounded."""
        if self.kind == "discrete":
            return np.asarray(self.choices, dtype=float)
        if self.kind in ("uniform", "triangular"):
            return np.linspace(self.low, self.high, k)
        return self.ppf((np.arange(k) + 0.5) / k)


def correlate(u: np.ndarray, chol: np.ndarray | None) -> np.ndarray:
    """Gaussian copula: impose the correlation whose Cholesky factor is ``chol`` on ``u`` (m, d)."""
    if chol is None:
        return u
    z = special.ndtri(np.clip(u, _EPS, 1 - _EPS))
    # a fixed-order sum per row, not BLAS: BLAS picks kernels by the row count, so `z @ chol.T`
    # can differ in the last bit between a chunk of 1 row and one of 65 (chunk-size invariance)
    out = np.zeros_like(z)
    for j in range(chol.shape[1]):
        out += z[:, j:j + 1] * chol[:, j][None, :]
    return special.ndtr(out)


def cholesky_or_none(corr: np.ndarray) -> np.ndarray | None:
    """Cholesky factor of a correlation matrix; ``None`` for the identity. Raises LinAlgError."""
    if np.array_equal(corr, np.eye(len(corr))):
        return None
    return np.linalg.cholesky(corr)


def to_inputs(u: np.ndarray, marginals: list[Marginal], chol: np.ndarray | None) -> np.ndarray:
    """Unit-cube points (m, d) -> parameter values (m, d) via copula and marginals."""
    u = correlate(u, chol)
    return np.column_stack([m.ppf(u[:, j]) for j, m in enumerate(marginals)]) if len(u) else (
        np.empty((0, len(marginals)))
    )


# --- unit-cube point generators, one signature each: (n, d, rng-or-seed) -> (n, d) -----------


def random_block(block: int, size: int, d: int, seed: int) -> np.ndarray:
    """Plain Monte Carlo points of block ``block`` (independent stream per block)."""
    return np.random.default_rng(block_seed(seed, 1, block)).random((size, d))


def sobol_block(block: int, block_size: int, size: int, d: int, seed: int) -> np.ndarray:
    """Rows ``block*block_size ..`` of one scrambled Sobol' sequence (same scramble everywhere)."""
    eng = qmc.Sobol(d, scramble=True, rng=np.random.default_rng(design_seed(seed)))
    if block:
        eng.fast_forward(block * block_size)
    return eng.random(size)


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """A Latin hypercube over all ``n`` rows (needs the whole design in memory)."""
    return qmc.LatinHypercube(d, rng=np.random.default_rng(design_seed(seed))).random(n)


def sobol_points(n: int, d: int, seed: int) -> np.ndarray:
    """First ``n`` scrambled Sobol' points (``n`` a power of two)."""
    return qmc.Sobol(d, scramble=True, rng=np.random.default_rng(design_seed(seed))).random(n)
