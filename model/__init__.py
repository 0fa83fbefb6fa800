"""tradesim: scenario model of India-Russia goods trade.

Python API (docs/design.md §4.3)::

    import model
    sc = model.load_scenario("scenarios/baseline.toml")
    res = model.run(sc)          # -> Result with pandas tables and numpy arrays
    res.summary                  # one row per fiscal year
    sw = model.sweep("scenarios/sweeps/oil_lng_uncertainty.toml", out="results", workers=2)
"""

__version__ = "0.1.0"

from model.api import run  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

__all__ = ["__version__", "load_scenario", "run", "sweep"]


def __getattr__(name: str):
    # `model.sweep` (callable: model.sweep(spec, ...)) is imported on first use: it pulls in
    # scipy.stats and the executors, which single scenario runs do not need
    if name == "sweep":
        import importlib

        return importlib.import_module("model.sweep")
    raise AttributeError(f"module 'model' has no attribute {name!r}")
