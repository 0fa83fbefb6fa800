"""tradesim: scenario model of India-Russia goods trade.

Python API (DESIGN 4.3)::

    import model
    sc = model.load_scenario("scenarios/baseline.toml")
    res = model.run(sc)          # -> Result with pandas tables and numpy arrays
    res.summary                  # one row per fiscal year
"""

__version__ = "0.1.0"
