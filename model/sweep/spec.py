"""The sweep-file schema: a frozen, strictly validated :class:`SweepSpec`.

A sweep file is TOML::

    scenario = "../baseline.toml"        # base scenario, relative to this file
    method = "montecarlo"                # grid | tornado | montecarlo | sobol | morris
    sampler = "lhs"                      # montecarlo only: random | lhs | sobol
    n = 4096                             # samples (montecarlo), base points (sobol, a power of 2),
                                         # trajectories (morris); not used by grid and tornado
    seed = 20261126
    outcomes = ["balance:2029-30", "total_trade:2029-30", "year_100bn", "cumulative_deficit"]

    [parameters."levers.oil.brent_usd"]
    dist = "triangular"
    low = 55.0
    mode = 70.0
    high = 95.0

    [parameters."flows.pharma.elasticity"]   # no dist: a plain range, uniform
    low = 2.0
    high = 6.0

    [[correlations]]
    params = ["levers.oil.brent_usd", "levers.oil.volume_mbd"]
    rho = -0.3

Errors are :class:`~model.errors.InputError` naming the file, the key path and what is allowed;
unknown keys get the nearest valid key suggested.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from model.errors import InputError
from model.inputs import loads_toml, read_input_text
from model.sweep.samplers import Marginal

METHODS = ("grid", "tornado", "montecarlo", "sobol", "morris")
DISTS = ("uniform", "triangular", "normal", "lognormal", "discrete")
EVALUATORS = ("model", "toy:ishigami", "toy:linear", "toy:heavy", "toy:des")

# which numeric fields each distribution takes: (required, optional)
DIST_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ("swing", "base")),
    "triangular": (("low", "mode", "high"), ("swing", "base")),
    "normal": (("mean", "sd"), ("low", "high", "swing", "base")),
    "lognormal": (("median", "sigma"), ("swing", "base")),
    "discrete": (("choices",), ("weights", "swing", "base")),
}

# strict as scenario files: no boolean taken as a number, no string as a number
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)
Finite = Annotated[float, Field(allow_inf_nan=False)]


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value  # TOML arrays are lists


def Pair(item: Any) -> Any:  # noqa: N802 - a type
    """A two-element TOML array, validated strictly element by element."""
    return Annotated[tuple[item, item], BeforeValidator(_as_tuple)]


class Parameter(BaseModel):
    """One swept input: a range (low/high, uniform) or a distribution."""

    model_config = _STRICT
    dist: Literal["uniform", "triangular", "normal", "lognormal", "discrete"] = "uniform"
    low: Finite | None = None
    high: Finite | None = None
    mode: Finite | None = None
    mean: Finite | None = None
    sd: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    choices: list[Finite] | None = None
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None
    swing: Pair(Finite) | None = None  # tornado low/high; default P10/P90 or low/high
    # tornado base value of this input; default its median; "scenario" = the scenario's own value
    # (its year path, e.g. the dataset's dated prices), so the base run is the scenario itself
    base: Finite | Literal["scenario"] | None = None

    @model_validator(mode="after")
    def _fields_match_dist(self) -> Parameter:
        required, optional = DIST_FIELDS[self.dist]
        given = {k for k in self.model_fields_set if k != "dist" and getattr(self, k) is not None}
        missing = [k for k in required if k not in given]
        if missing:
            raise ValueError(f"dist {self.dist!r} needs {', '.join(missing)}")
        extra = sorted(given - set(required) - set(optional))
        if extra:
            raise ValueError(
                f"{', '.join(extra)} not used by dist {self.dist!r} "
                f"(it takes {', '.join(required + optional)})"
            )
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low must be < high (got low={self.low}, high={self.high})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode must lie in [low, high] (got {self.mode})")
        if self.choices is not None:
            if not self.choices:
                raise ValueError("choices must not be empty")
            if self.weights is not None and (
                len(self.weights) != len(self.choices) or sum(self.weights) <= 0
            ):
                raise ValueError("weights must match choices one to one and not all be 0")
        return self

    def marginal(self) -> Marginal:
        return Marginal(
            kind=self.dist, low=self.low, high=self.high, mode=self.mode, mean=self.mean,
            sd=self.sd, median=self.median, sigma=self.sigma,
            choices=tuple(self.choices or ()), weights=tuple(self.weights or ()),
        )


class Correlation(BaseModel):
    model_config = _STRICT
    params: Pair(str)
    rho: Annotated[float, Field(gt=-1, lt=1)]


class GridOptions(BaseModel):
    model_config = _STRICT
    levels: Annotated[int, Field(ge=2, le=1000)] = 5


class TornadoOptions(BaseModel):
    model_config = _STRICT
    quantiles: Pair(Annotated[float, Field(gt=0, lt=1)]) = (0.1, 0.9)


class SobolOptions(BaseModel):
    model_config = _STRICT
    bootstrap: Annotated[int, Field(ge=0, le=100_000)] = 999
    confidence: Annotated[float, Field(gt=0, lt=1)] = 0.95


class MorrisOptions(BaseModel):
    model_config = _STRICT
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    confidence: Annotated[float, Field(gt=0, lt=1)] = 0.95
    resamples: Annotated[int, Field(ge=1, le=100_000)] = 1000


class RuleError(ValueError):
    """A rule across keys of the sweep (method and n, ...), blamed on the key to change."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class SweepSpec(BaseModel):
    """A validated sweep. Build with :func:`load_sweep` or ``SweepSpec.model_validate``."""

    model_config = _STRICT
    # the result directory is named after it (plus staging affixes): at most 200 bytes
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=200)] = "sweep"
    description: str = ""
    scenario: str | None = None
    evaluator: Literal["model", "toy:ishigami", "toy:linear", "toy:heavy", "toy:des"] = "model"
    method: Literal["grid", "tornado", "montecarlo", "sobol", "morris"]
    sampler: Literal["random", "lhs", "sobol"] | None = None
    n: Annotated[int, Field(gt=0)] | None = None
    seed: Annotated[int, Field(ge=0)] = 0
    chunk_size: Annotated[int, Field(gt=0)] | None = None
    block_size: Annotated[int, Field(ge=16, le=2**20)] = 4096
    outcomes: Annotated[list[str], Field(min_length=1)]
    parameters: dict[str, Parameter]
    correlations: list[Correlation] = []
    grid: GridOptions = GridOptions()
    tornado: TornadoOptions = TornadoOptions()
    sobol: SobolOptions = SobolOptions()
    morris: MorrisOptions = MorrisOptions()

    @field_validator("parameters")
    @classmethod
    def _some_parameters(cls, v: dict[str, Parameter]) -> dict[str, Parameter]:
        if not v:
            raise ValueError("give at least one parameter")
        return v

    @field_validator("block_size")
    @classmethod
    def _pow2_block(cls, v: int) -> int:
        if v & (v - 1):
            raise ValueError(f"must be a power of two (got {v})")
        return v

    @model_validator(mode="after")
    def _method_rules(self) -> SweepSpec:
        m = self.method
        if m in ("montecarlo", "sobol", "morris") and self.n is None:
            raise RuleError("n", f"method {m!r} needs n")
        if m in ("grid", "tornado") and self.n is not None:
            raise RuleError("n", f"n is not used by method {m!r}; remove it")
        if self.sampler is not None and m != "montecarlo":
            raise RuleError("sampler", f"sampler applies to method 'montecarlo' only, not {m!r}")
        if m == "sobol" and self.n & (self.n - 1):
            lo = 1 << (self.n.bit_length() - 1)
            raise RuleError(
                "n", f"sobol needs n to be a power of two (got {self.n}; try {lo} or {lo * 2})"
            )
        if m == "montecarlo" and self.sampler == "sobol" and self.n & (self.n - 1):
            raise RuleError("n", f"sampler 'sobol' needs n to be a power of two (got {self.n})")
        if self.correlations and m in ("sobol", "grid", "tornado", "morris"):
            raise RuleError(
                "correlations", f"method {m!r} needs independent inputs: Sobol'/Morris indices and one-at-a-time "
                "or grid designs are not defined for correlated parameters; remove "
                "[[correlations]] or use method 'montecarlo'"
            )
        if m in ("sobol", "morris") and self.n < 2:
            what = ("the bootstrap interval of one base sample has zero width" if m == "sobol"
                    else "sigma and the interval of mu* need two trajectories")
            raise RuleError("n", f"method {m!r} needs n >= 2 (got {self.n}): {what}")
        if m == "sobol" and len(self.parameters) < 2:
            raise RuleError("parameters", "method 'sobol' needs at least two parameters (one input explains "
                             "all the variance); use 'tornado' or 'montecarlo' for one")
        dupes = sorted({o for o in self.outcomes if self.outcomes.count(o) > 1})
        if dupes:
            raise RuleError("outcomes", f"outcome {dupes[0]!r} is listed twice; list each once")
        if self.evaluator == "model" and self.scenario is None:
            raise RuleError("scenario", "scenario is required (path of the base scenario file)")
        return self

    @property
    def names(self) -> list[str]:
        return list(self.parameters)

    @property
    def effective_sampler(self) -> str:
        return self.sampler or "lhs"

    def marginals(self) -> list[Marginal]:
        return [p.marginal() for p in self.parameters.values()]

    def correlation_matrix(self) -> np.ndarray:
        """The d x d correlation matrix (validated by :func:`check_correlations`)."""
        idx = {k: i for i, k in enumerate(self.parameters)}
        c = np.eye(len(idx))
        for pair in self.correlations:
            i, j = idx[pair.params[0]], idx[pair.params[1]]
            c[i, j] = c[j, i] = pair.rho
        return c


# --- loading and error translation ----------------------------------------------------------


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the key at ``loc`` (to suggest a valid name)."""
    sub = {"grid": GridOptions, "tornado": TornadoOptions, "sobol": SobolOptions,
           "morris": MorrisOptions}
    if len(loc) == 1:
        return SweepSpec
    if loc[0] == "parameters" and len(loc) == 3:
        return Parameter
    if loc[0] == "correlations" and len(loc) == 3:
        return Correlation
    if loc[0] in sub and len(loc) == 2:
        return sub[loc[0]]
    return None


_TAGS = ("float", "int", "str", "bool")
_TAG_PREFIXES = ("literal[", "function-", "constrained-", "tuple[", "list[", "dict[")


def _message(err: dict[str, Any]) -> tuple[str, str]:
    # pydantic's union-branch tags (``base.float``) are not keys of the file
    loc = tuple(p for i, p in enumerate(err["loc"])
                if not (isinstance(p, str) and i >= 2 and err["loc"][i - 1] != "parameters"
                        and (p in _TAGS or p.startswith(_TAG_PREFIXES))))
    key = ".".join(f'"{p}"' if isinstance(p, str) and "." in p else str(p) for p in loc)
    rule = (err.get("ctx") or {}).get("error")
    if not loc and isinstance(rule, RuleError):  # a whole-sweep rule: the key it names
        return rule.key, str(rule)
    if err["type"] == "extra_forbidden":
        owner = _model_at(loc)
        allowed = _allowed_keys(owner) if owner else []
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return key, f"unknown key{hint} (allowed: {', '.join(allowed)})"
    if err["type"] == "missing":
        return key, "is required"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "literal_error":
        msg = msg.replace("Input should be", "must be")
        return key, f"{msg} (got {err['input']!r})"
    # a validator that names the value itself already says what it got
    if "input" in err and not isinstance(err["input"], dict | list) and "(got " not in msg:
        return key, f"{msg} (got {err['input']!r})"
    return key, msg


def parse_sweep(data: dict[str, Any], *, file: str | None = None) -> SweepSpec:
    """Validate a sweep given as a dict; raise InputError naming file and key."""
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        key, msg = _message(errors[0])  # a misspelt key explains the "missing" one
        more = len(exc.errors()) - 1
        raise InputError(msg + (f" (and {more} more problem(s))" if more else ""), file=file,
                         key=key or None) from None
    check_correlations(spec, file=file)
    return spec


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; return the spec and the file's directory."""
    path = Path(path)
    data = loads_toml(read_input_text(path, what="sweep (UTF-8 TOML)"), file=str(path))
    data.setdefault("name", re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem) or "sweep")
    return parse_sweep(data, file=str(path)), path.parent


def check_correlations(spec: SweepSpec, *, file: str | None = None) -> None:
    """Correlation pairs name known, distinct parameters once; the matrix is positive definite."""
    seen: set[frozenset[str]] = set()
    for i, pair in enumerate(spec.correlations):
        key = f"correlations.{i}.params"
        for p in pair.params:
            if p not in spec.parameters:
                near = difflib.get_close_matches(p, spec.names, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise InputError(f"{p!r} is not one of the swept parameters{hint}", file=file,
                                 key=key)
        if pair.params[0] == pair.params[1] or frozenset(pair.params) in seen:
            raise InputError("each pair must name two different parameters, once", file=file,
                             key=key)
        seen.add(frozenset(pair.params))
    if spec.correlations:
        corr = spec.correlation_matrix()
        eig = np.linalg.eigvalsh(corr)
        if eig.min() <= 1e-10:
            raise InputError(
                "the correlation matrix is not positive definite (smallest eigenvalue "
                f"{eig.min():.3g}); these correlations cannot hold together — weaken them",
                file=file, key="correlations")
