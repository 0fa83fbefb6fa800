"""tradesim: scenario model of India-Russia goods trade.

Python API (DESIGN 4.3)::

    import model
    sc = model.load_scenario("scenarios/baseline.toml")
    res = model.run(sc)          # -> Result with pandas tables and numpy arrays
    res.summary                  # one row per fiscal year
"""

__version__ = "0.1.0"

from model.api import run  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

__all__ = ["__version__", "load_scenario", "run"]
