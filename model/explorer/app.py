"""The Dash page of ``tradesim explore``: schema-generated controls, live charts, upload and
download of scenario files. Every number comes from :func:`model.run` on the server; the only
script written here is the one-line slider/field sync (no model logic in the browser).

State lives in the page (the resolved table it started from, the control values), not in the
server, so several tabs do not interfere and the server keeps nothing that a bad input could
corrupt. The server writes no file: "download" hands the TOML text to the browser.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import sys
import tomllib
import traceback
from pathlib import Path

import dash
from dash import ALL, MATCH, Input, Output, State, dcc, html

from model import labels
from model.errors import InputError
from model.explorer import figures, state
from model.explorer.controls import Control, controls
from model.report import default_reference
from model.scenario import SHIPPED_BASELINE, load_scenario, resolved_table

NUM, SLIDER = "num", "slider"
GRAPHS = ("g-balance", "g-trade", "g-exports", "g-imports", "g-routes", "g-markets")
SUMMARY_COLUMNS = (("fiscal_year", "Fiscal year"), ("exports_usd_bn", "Exports"),
                   ("imports_usd_bn", "Imports"), ("total_trade_usd_bn", "Total trade"),
                   ("balance_usd_bn", "Balance"))
DIGITS = 2  # the page prints US$ bn to 2 decimals, as `tradesim run` does

# the one piece of browser script: keep a control's slider and number field in step. The
# slider's value is what the server computes from (a moved slider goes straight to it); a typed
# value, even one outside the range, is handed to the slider, so the server can say why it is
# refused; an emptied field hands over null (the scenario's own value)
SYNC = """
function(slider, num) {
    const nu = window.dash_clientside.no_update;
    const t = window.dash_clientside.callback_context.triggered;
    if (!t.length) { return [nu, nu]; }
    if (t[0].prop_id.indexOf('"slider"') >= 0) {
        return [nu, slider === num ? nu : slider];
    }
    return [num === undefined || num === slider ? nu : num, nu];
}
"""


def _row(c: Control, value: float | None) -> html.Div:
    unit = f" ({c.unit})" if c.unit else ""
    return html.Div(className="control", title=c.help, children=[
        html.Label(f"{c.label}{unit}"),
        html.Div(className="pair", children=[
            dcc.Slider(id={"type": SLIDER, "path": c.path}, min=c.low, max=c.high, step=c.step,
                       value=value, marks=None, updatemode="mouseup", allow_direct_input=False),
            dcc.Input(id={"type": NUM, "path": c.path}, type="number", value=value,
                      debounce=True, placeholder="dataset / year path", className="num",
                      name=c.path),
        ]),
    ])


def _summary_table(summary, reference) -> dcc.Markdown:
    """The numbers as one Markdown table: one component, not ~80 (a Dash component per cell
    costs render time on every move)."""
    head = [t for _, t in SUMMARY_COLUMNS] + ["Balance vs baseline"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for (_, r), (_, ref) in zip(summary.iterrows(), reference.iterrows(), strict=True):
        cells = [r[c] if c == "fiscal_year" else f"{r[c]:.{DIGITS}f}" for c, _ in SUMMARY_COLUMNS]
        cells.append(f"{r['balance_usd_bn'] - ref['balance_usd_bn']:+.{DIGITS}f}")
        lines.append("| " + " | ".join(cells) + " |")
    return dcc.Markdown("\n".join(lines), id="summary-table")


def make_app(files: list[Path] | None = None) -> dash.Dash:
    """The app for scenario ``files`` (the first is where the controls start; all are drawn
    beside the explored scenario), or the baseline when none is given."""
    files = list(files or [])
    start_file = files[0] if files else SHIPPED_BASELINE
    loaded = [load_scenario(f) for f in files]  # InputError before the server starts
    start_table = resolved_table(start_file)
    start = state.scenario_of(start_table, file=str(start_file))
    base_dir = Path(start_file).resolve().parent  # where an uploaded file's `extends` is found
    ctrl = controls(start)
    paths = [c.path for c in ctrl]
    integers = {c.path for c in ctrl if c.integer}
    reference = state.project(default_reference(start))
    others = [(sc.name, state.project(sc).summary) for sc in loaded]
    dataset = start.settings.dataset
    figures.palette()  # read the style sheet once, before request threads share it

    app = dash.Dash(__name__, title="tradesim explore", update_title=None, serve_locally=True)
    values = state.controls_from(start, paths)
    groups = []
    for g in dict.fromkeys(c.group for c in ctrl):
        rows = [_row(c, values[c.path]) for c in ctrl if c.group == g]
        groups.append(html.Details(open=g in ("oil", "fta", "corridors"), children=[
            html.Summary(labels.group(g)), *rows]))
    app.layout = html.Div(id="page", children=[
        # tables travel as TOML text: JSON has one number type and would turn 1.0 into 1
        dcc.Store(id="base", data=state.to_toml(start_table)),
        dcc.Store(id="table"),
        dcc.Store(id="drawn"),  # digests of the table and charts on screen
        dcc.Download(id="download"),
        html.Div(id="side", children=[
            html.H1("tradesim explore"),
            html.P(f"Starting from {start.name} (dataset {dataset}). Values are in the "
                   "scenario file's units; an empty field follows the scenario's path or the "
                   "dataset. Hover a control for its definition."),
            html.Div(className="buttons", children=[
                html.Button("Download scenario (TOML)", id="download-btn"),
                html.Button("Reset", id="reset"),
                dcc.Upload(id="upload", children=html.Button("Upload scenario (TOML)"),
                           accept=".toml"),
            ]),
            dcc.Checklist(id="uncertainty", value=[], options=[{
                "label": f" Uncertainty fan: oil and LNG inputs the scenario leaves open, "
                         f"{state.FAN_SAMPLES:,} samples", "value": "on"}]),
            dcc.Checklist(id="markets", value=[], options=[{
                "label": " Trade creation and diversion (competing suppliers; adds ~20 ms a "
                         "move)", "value": "on"}]),
            html.Div(id="message", role="alert"),
            *groups,
        ]),
        html.Div(id="main", children=[
            html.Div(id="summary"),
            # digest of the scenario table the numbers come from and the charts this update
            # redraws: how tests and the benchmark know a redraw is complete (hidden)
            html.Pre(id="computed", hidden=True),
            *[dcc.Graph(id=g, config={"displaylogo": False, "responsive": False}) for g in GRAPHS],
        ]),
    ])

    app.clientside_callback(
        SYNC,
        Output({"type": SLIDER, "path": MATCH}, "value"),
        Output({"type": NUM, "path": MATCH}, "value"),
        Input({"type": SLIDER, "path": MATCH}, "value"),
        Input({"type": NUM, "path": MATCH}, "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("summary", "children"), *[Output(g, "figure") for g in GRAPHS],
        Output("message", "children"), Output("table", "data"), Output("computed", "children"),
        Output("drawn", "data"),
        Input({"type": SLIDER, "path": ALL}, "value"), Input("uncertainty", "value"),
        Input("markets", "value"), Input("base", "data"), State("drawn", "data"),
    )
    def recompute(nums, uncertainty, markets, base_text, drawn):
        base = tomllib.loads(base_text)
        ids = [i["id"]["path"] for i in dash.ctx.inputs_list[0]]
        chosen = {p: _number(v, p in integers) for p, v in zip(ids, nums, strict=True)}
        shown = shown_by(base_text)
        moved = {p: v for p, v in chosen.items() if v is not None and v != shown[p]}
        keep = [dash.no_update] * (len(GRAPHS) + 1)
        try:
            table = state.apply(base, moved)
            sc = state.scenario_of(table)
            res = state.project(sc)
            fan = state.fan(sc, table) if "on" in (uncertainty or []) else None
        except InputError as err:  # the CLI's one line; the charts keep the last good state
            return (*keep, err.render(), None, dash.no_update, dash.no_update)
        except Exception:  # a bug: say so on the page, keep serving
            traceback.print_exc()
            return (*keep, "internal error (a bug); please report it", None, dash.no_update,
                    dash.no_update)
        summary, ref = res.summary, reference.summary
        lines = [("baseline", ref), *others, (f"{sc.name} (explored)", summary)]
        views = [_summary_table(summary, ref),
                 figures.balance(lines, fan),
                 figures.trade(summary, ref, "explored"),
                 figures.sectors(res.flows, "export", dataset),
                 figures.sectors(res.flows, "import", dataset),
                 figures.routes(res.routes),
                 figures.creation_diversion(res.markets[0]) if "on" in (markets or [])
                 else figures.figure([], "Trade creation and diversion: tick the box to compute")]
        # send only what changed: a chart the lever does not touch (routes under an oil
        # lever) is not redrawn -- drawing is most of the latency on a 2-core machine
        digests = [_digest(v.to_plotly_json() if i == 0 else v) for i, v in enumerate(views)]
        same = [bool(drawn) and drawn[i] == d for i, d in enumerate(digests)]
        redraw = [g for g, s in zip(GRAPHS, same[1:], strict=True) if not s]
        return (*[dash.no_update if s else v for v, s in zip(views, same, strict=True)],
                "", state.to_toml(table),
                f"{_digest(table)} fan={fan is not None} redraw={','.join(redraw)}", digests)

    @functools.lru_cache(maxsize=8)
    def shown_by(base_text: str) -> dict:
        """What the page's starting table gives each control (cached: it changes on upload)."""
        return state.controls_from(state.scenario_of(tomllib.loads(base_text)), paths)

    @app.callback(Output("download", "data"), Input("download-btn", "n_clicks"),
                  State("table", "data"), prevent_initial_call=True)
    def download(_, table):
        if table is None:  # the message already says what is wrong
            return dash.no_update
        return dcc.send_string(state.download_text(state.with_name(tomllib.loads(table))),
                               f"{state.EXPLORER_NAME}.toml")

    @app.callback(Output("base", "data"), Output({"type": SLIDER, "path": ALL}, "value"),
                  Output("message", "children", allow_duplicate=True),
                  Input("upload", "contents"), State("upload", "filename"),
                  prevent_initial_call=True)
    def upload(contents, filename):
        keep = [dash.no_update] * len(paths)
        name = Path(filename or "upload.toml").name
        try:
            raw = base64.b64decode(contents.split(",", 1)[1])
            table = state.resolve_text(raw, file=name, base_dir=base_dir)
            sc = state.scenario_of(table, file=name)
        except InputError as err:
            return dash.no_update, keep, err.render()
        except (ValueError, IndexError, AttributeError):
            return dash.no_update, keep, f"{name}: could not read the upload"
        shown = state.controls_from(sc, paths)
        return state.to_toml(table), [shown[p] for p in paths], ""

    @app.callback(Output({"type": SLIDER, "path": ALL}, "value", allow_duplicate=True),
                  Input("reset", "n_clicks"), State("base", "data"), prevent_initial_call=True)
    def reset(_, base):
        shown = shown_by(base)
        return [shown[p] for p in paths]

    return app


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _number(value, integer: bool):
    """A field's value as the schema wants it: JSON has one number type, so 25.0 arrives as 25;
    an integer field gets an int when whole, any other a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if integer:
        return int(value) if float(value).is_integer() else value
    return float(value)


def serve(app: dash.Dash, host: str, port: int, *, on_ready=None) -> None:
    """Serve ``app`` until interrupted; ``on_ready(url)`` is called once the port is bound."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server(host, port, app.server, threaded=True)
    url = f"http://{host}:{server.port}/"
    print(f"tradesim explore: serving {url} (Ctrl+C stops)", file=sys.stdout, flush=True)
    if on_ready:
        on_ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
