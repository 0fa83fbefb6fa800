"""The browser explorer (``tradesim explore``): a thin layer over :func:`model.run`.

``controls`` derives one control per lever from the scenario schema, ``state`` turns control
values into a validated scenario, a TOML file and results, ``figures`` draws them with Plotly,
``app`` wires them into a local Dash page, and ``export`` writes one self-contained HTML file.
No model logic lives in the browser: every number on the page comes from ``model.run``.
"""
