"""Every plot kind, drawn from real outputs, is one an analyst can paste into a brief: both axes
labelled (the value axis with a unit), no legend over plotted data, human labels (no flow ids or
dotted parameter paths), distinct colours per scenario, observed / nowcast / projection marked."""

from __future__ import annotations

import itertools
import re
import shutil

import matplotlib
import numpy as np
import pytest
from conftest import SCENARIOS, SHIPPED
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgb
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from model import labels
from model import plots as p
from model.api import run
from model.data import load_baseline
from model.results import comparison
from model.scenario import load_scenario
from model.sweep import load_sweep, run_sweep
from model.sweep import plots as sp

UNIT = re.compile(r"\([^)]*\)|US\$|%|mb/d|days|\bMt\b")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")        # other_imports, volume_mbd
DOTTED = re.compile(r"\b[a-z_]+(?:\.[a-z_0-9]+)+\b")        # levers.oil.volume_mbd
FLOW_IDS = set(load_baseline().flow_names)
SWEEPS = SCENARIOS / "sweeps"


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def results():
    return {p_.stem: run(load_scenario(p_)) for p_ in SHIPPED}


@pytest.fixture(scope="module")
def des(tmp_path_factory):
    d = tmp_path_factory.mktemp("des")
    shutil.copy(SCENARIOS / "baseline.toml", d / "baseline.toml")
    (d / "des.toml").write_text('extends = "baseline.toml"\nname = "des_short"\n'
                                '[settings]\nhorizon_end = 2027\n[corridors]\nmodel = "des"\n')
    return run(load_scenario(d / "des.toml")).corridors[0]


def _sweep(name: str, **update):
    spec, base = load_sweep(SWEEPS / f"{name}.toml")
    return spec, run_sweep(spec.model_copy(update=update), out=None, base_dir=base)


@pytest.fixture(scope="module")
def tornado():
    return _sweep("tornado_all_levers")


@pytest.fixture(scope="module")
def montecarlo():
    return _sweep("oil_lng_uncertainty", n=64)


@pytest.fixture(scope="module")
def sobol():
    return _sweep("sobol_deficit_2030", n=16)


@pytest.fixture(scope="module")
def morris():
    spec, base = load_sweep(SWEEPS / "sobol_deficit_2030.toml")
    spec = spec.model_copy(update={"method": "morris", "n": 4, "name": "morris_small"})
    return spec, run_sweep(spec, out=None, base_dir=base)


@pytest.fixture(scope="module")
def backcast_table():
    from model.analysis.backcast import run_backcast

    return run_backcast()[1]


# ------------------------------------------------------------------------------ checks
def _figure_of(obj):
    fig = obj.figure if hasattr(obj, "figure") else obj
    fig = fig.get_figure(root=True) if hasattr(fig, "get_figure") else fig
    if not isinstance(fig.canvas, FigureCanvasAgg):  # a pyplot-free Figure
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig


def _title(ax) -> str:
    """The axes title wherever the style puts it (left, centre or right)."""
    return " ".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t)


def _plot_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def assert_axes_labelled(fig, value_axis: str = "y") -> None:
    """Every axis has an x and a y label; the value axis names its unit."""
    for ax in _plot_axes(fig):
        x, y = ax.get_xlabel().strip(), ax.get_ylabel().strip()
        assert x and y, f"unlabelled axis in {_title(ax)!r}: x={x!r} y={y!r}"
        value = y if value_axis == "y" else x
        assert UNIT.search(value), f"no unit in {value!r} ({_title(ax)!r})"


def _legends(fig) -> list[Legend]:
    return [lg for lg in fig.findobj(Legend) if lg.get_visible()]


def _data_boxes(fig) -> list[tuple[str, Bbox]]:
    """Display-space boxes of plotted data (clipped to their axes): line points, bars, areas."""
    r = fig.canvas.get_renderer()
    boxes = []
    for ax in _plot_axes(fig):
        frame = ax.get_window_extent(r)
        for art in ax.get_children():
            if isinstance(art, Line2D):
                xy = art.get_transform().transform(np.asarray(art.get_xydata(), dtype=float))
                xy = xy[np.isfinite(xy).all(axis=1)]
                if len(xy) == 0:
                    continue
                box = Bbox([xy.min(axis=0), xy.max(axis=0)])
            elif isinstance(art, Rectangle) and art is not ax.patch or isinstance(art, Collection):
                box = art.get_window_extent(r)
            else:
                continue
            clipped = Bbox.intersection(box, frame)
            if clipped is not None:
                boxes.append((f"{type(art).__name__} {art.get_label()!r} in {_title(ax)!r}",
                              clipped))
    return boxes


def _title_boxes(fig) -> list[tuple[str, Bbox]]:
    r = fig.canvas.get_renderer()
    texts = [t for ax in _plot_axes(fig) for t in (ax.title, ax._left_title, ax._right_title)]
    texts += [f._suptitle for f in [fig, *fig.subfigs] if f._suptitle is not None]
    return [(f"title {t.get_text()!r}", t.get_window_extent(r)) for t in texts if t.get_text()]


def assert_legends_clear(fig) -> None:
    """No legend's box overlaps any plotted line's, bar's or area's extent, or a title
    (display space)."""
    legends = _legends(fig)
    assert legends, "expected a legend"
    boxes = _data_boxes(fig) + _title_boxes(fig)
    assert boxes, "no plotted data found"
    r = fig.canvas.get_renderer()
    for lg in legends:
        lb = lg.get_window_extent(r)
        for what, box in boxes:
            inter = Bbox.intersection(lb, box)
            assert inter is None or inter.width < 1 or inter.height < 1, \
                f"legend {[t.get_text() for t in lg.get_texts()][:3]} covers {what}"


def _texts(fig) -> list[str]:
    out = []
    for ax in _plot_axes(fig):
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [_title(ax), ax.get_xlabel(), ax.get_ylabel()]
    for lg in _legends(fig):
        out += [t.get_text() for t in lg.get_texts()] + [lg.get_title().get_text()]
    return [t for t in out if t]


def assert_human(fig, *, allowed: set[str] = frozenset()) -> list[str]:
    """No raw flow ids, snake_case ids or dotted paths in ticks, titles, labels or legends
    (``allowed``: names the user chose, e.g. scenario names)."""
    texts = _texts(fig)
    for text in texts:
        ids = set(SNAKE.findall(text)) - set(allowed)
        assert not ids, f"raw identifier {ids} in {text!r}"
        assert not DOTTED.findall(text), f"dotted path in {text!r}"
        assert text not in FLOW_IDS, f"flow id {text!r}"
    return texts


def check(obj, *, value_axis: str = "y", allowed: set[str] = frozenset()) -> list[str]:
    fig = _figure_of(obj)
    assert_axes_labelled(fig, value_axis)
    assert_legends_clear(fig)
    return assert_human(fig, allowed=allowed)


# ------------------------------------------------------------------------------ the checks fail
def test_the_checks_catch_a_legend_on_the_data_and_a_raw_label():
    fig = matplotlib.figure.Figure(figsize=(5, 4))
    ax = fig.subplots()
    ax.plot(range(10), range(10), label="other_imports")
    ax.legend(loc="center")
    ax.set_xlabel("year")
    ax.set_ylabel("value")
    _figure_of(fig)
    with pytest.raises(AssertionError, match="covers"):
        assert_legends_clear(fig)
    with pytest.raises(AssertionError, match="raw identifier"):
        assert_human(fig)
    with pytest.raises(AssertionError, match="no unit"):
        assert_axes_labelled(fig)


# ------------------------------------------------------------------------------ one scenario
def test_trade_and_balance_marks_observed_nowcast_and_projection(results):
    res = results["baseline"]
    texts = check(p.plot_trade_and_balance(res.summary))
    assert {labels.STATUS[s] for s in ("observed", "nowcast", "projection")} <= set(texts)
    assert "nowcast (observed months + model)" in texts
    ax = p.plot_trade_and_balance(res.summary)
    s = res.summary.set_index("fiscal_year")["status"]
    now, obs = int(s[s == "nowcast"].index[0][:4]), int(s[s == "observed"].index[0][:4])
    markers = [ln for ln in ax.lines if ln.get_marker() == "o"]
    hollow = [ln for ln in markers if to_hex(ln.get_markerfacecolor()) == "#ffffff"]
    filled = [ln for ln in markers if ln not in hollow]
    assert hollow and all(list(ln.get_xdata()) == [now] for ln in hollow)
    assert filled and all(list(ln.get_xdata()) == [obs] for ln in filled)
    projection = [ln for ln in ax.lines if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 5]
    assert len(projection) == 3  # total trade, imports, exports


@pytest.mark.parametrize("direction", ["export", "import"])
def test_flows_use_the_dataset_labels(results, direction):
    texts = check(p.plot_flows_stacked(results["baseline"].flows, direction))
    expected = "Other exports (residual)" if direction == "export" else "Other imports (residual)"
    assert expected in texts
    flows = results["baseline"].flows
    n = flows.loc[flows["direction"] == direction, "flow"].nunique()
    assert len(_legends(_figure_of(p.plot_flows_stacked(flows, direction)))[0].get_texts()) == n


@pytest.mark.parametrize("mode", ["container", "bulk"])
def test_route_shares(results, mode):
    texts = check(p.plot_route_shares(results["instc_expansion"].routes, mode))
    assert "Suez all-sea" in texts


def test_transit_times(des):
    texts = check(p.plot_transit_times(des))
    assert "INSTC (Iran, Caspian)" in texts and "95th percentile" in texts


def test_saved_scenario_figures_are_clean(results, tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(p, "_save", lambda fig, path: figures.append(fig))
    p.save_scenario_plots(results["oil_sanctions"], tmp_path)
    # balance, flows, routes, creation/diversion, market welfare, crude bill (crude is cut)
    assert len(figures) == 6
    for fig in figures:
        check(fig, allowed={"oil_sanctions"})


# ------------------------------------------------------------------------------ comparison
def test_comparison_of_all_shipped_scenarios(results, monkeypatch):
    table = comparison(list(results.values()))
    figures = []
    monkeypatch.setattr(p, "_save", lambda fig, path: figures.append(fig))
    p.save_comparison(table, "unused.png")
    fig = figures[0]
    names = set(results) - {"history"}
    texts = check(fig, allowed=set(results))
    # small multiples: one panel per scenario but the baseline, which is grey in every panel
    panels = {_title(ax) for ax in fig.axes}
    assert names - {"baseline"} <= panels and "history" not in panels
    # the backcast is not compared with projections (no axis reaches back to FY2021-22)
    assert not any(t.startswith("2021-22") for t in texts)
    assert "history" in fig._suptitle.get_text()
    # each scenario has its own colour (the difference panels name them in the legend)
    diff = [ax for ax in fig.axes if "change from" in _title(ax)]
    assert len(diff) == 2
    colours = {ln.get_label(): to_hex(ln.get_color()) for ln in diff[1].lines
               if ln.get_label() in names}
    assert set(colours) == names - {"baseline"}
    assert len(set(colours.values())) == len(colours)
    assert p.GREY not in colours.values()
    for ax in fig.axes:
        if _title(ax) in names:
            own = {to_hex(ln.get_color()) for ln in ax.lines if ln.get_linewidth() >= 2}
            assert own == {colours[_title(ax)]}


def test_split_history_by_name_or_earlier_start(results):
    table = comparison([results["baseline"], results["history"], results["eaeu_fta"]])
    kept, out = p.split_history(table)
    assert out == ["history"] and set(kept["scenario"]) == {"baseline", "eaeu_fta"}
    renamed = table.replace({"scenario": {"history": "replay"}})
    assert p.split_history(renamed)[1] == ["replay"]  # starts in FY2021-22


def test_palette_has_12_distinguishable_colours():
    colours = p.palette()
    assert len(set(colours)) >= 12

    def lab(c):  # sRGB -> CIELAB (D65)
        rgb = np.array(to_rgb(c))
        lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                              [0.0193, 0.1192, 0.9505]]).T / [0.95047, 1.0, 1.08883]
        f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    worst = min(np.linalg.norm(lab(a) - lab(b)) for a, b in itertools.combinations(colours, 2))
    assert worst > 20, f"two palette colours are too close (Delta E {worst:.1f})"


# ------------------------------------------------------------------------------ waterfall, backcast
def test_waterfall(monkeypatch, tmp_path):
    from model.analysis.decompose import decompose
    from model.commands.decompose import save_waterfall_png

    sc = load_scenario(SCENARIOS / "balanced_push.toml")
    dec = decompose(sc, load_scenario(SCENARIOS / "baseline.toml"))
    figures = []
    monkeypatch.setattr(p, "_save", lambda fig, path: figures.append(fig))
    save_waterfall_png(dec, tmp_path / "w.png", year=2034, reference="baseline",
                       scenario="balanced_push")
    fig = _figure_of(figures[0])
    assert_axes_labelled(fig)
    texts = assert_human(fig, allowed={"balanced_push"})
    assert "EAEU–India FTA" in texts and "fta" not in texts


def test_backcast_errors_do_not_sit_on_the_points(backcast_table, monkeypatch):
    figures = []
    monkeypatch.setattr(p, "_save", lambda fig, path: figures.append(fig))
    p.save_backcast(backcast_table, "unused.png")
    fig = figures[0]
    texts = check(fig)
    assert any(re.search(r"error [+-]\d+\.\d%", t) for t in texts)
    for ax in fig.axes:  # the errors are tick labels, not annotations on the data
        assert not [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]


# ------------------------------------------------------------------------------ sweeps
def test_tornado_draws_every_outcome_with_ranges_and_units(tornado):
    spec, r = tornado
    ax = sp.plot_tornado(r.tornado)
    fig = _figure_of(ax)
    assert len(fig.axes) == len(spec.outcomes) == 3
    texts = check(fig, value_axis="x")
    for a, outcome in zip(fig.axes, spec.outcomes, strict=True):
        assert labels.outcome(outcome).text in _title(a)
        ticks = [t.get_text() for t in a.get_yticklabels()]
        assert len(ticks) == len(spec.parameters)
        assert all("→" in t for t in ticks)
    assert any("Russian crude to India" in t and "1 → 2 mb/d" in t for t in texts)
    assert any("0% → 50%" in t for t in texts)  # a tariff range in per cent
    one = sp.plot_tornado(r.tornado, outcome=spec.outcomes[1])
    assert labels.outcome(spec.outcomes[1]).text in _title(one)


def test_fan_chart_names_the_sweep_and_draws_the_baseline(montecarlo, results):
    spec, r = montecarlo
    ax = sp.plot_fan(r.quantiles, metric="balance", name=spec.name,
                     baseline=results["baseline"].summary)
    texts = check(ax, allowed={spec.name})
    assert spec.name in _title(ax)
    assert "deterministic baseline" in texts and "median of the draws" in texts
    base = [ln for ln in ax.lines if ln.get_label() == "deterministic baseline"][0]
    np.testing.assert_allclose(base.get_ydata(), results["baseline"].summary["balance_usd_bn"])
    other = sp.plot_fan(r.quantiles, metric="total_trade", name="another_sweep")
    assert _title(other) != _title(ax)
    check(other, allowed={"another_sweep"})


def test_sobol_and_morris(sobol, morris):
    spec, r = sobol
    fig = _figure_of(sp.plot_sobol(r.sobol))
    assert len(fig.axes) == len(spec.outcomes)
    check(fig)
    spec, r = morris
    fig = _figure_of(sp.plot_morris(r.morris))
    assert len(fig.axes) == len(spec.outcomes)
    texts = check(fig)
    assert "Russian crude to India (mb/d)" in texts


def test_scatter_labels_inputs_and_outcomes(montecarlo):
    _, r = montecarlo
    joined = r.samples.join(r.outcomes[["balance:2029-30"]])
    ax = sp.plot_scatter(joined, x="levers.oil.volume_mbd", y="balance:2029-30")
    fig = _figure_of(ax)
    assert_axes_labelled(fig)
    assert_human(fig)
    assert ax.get_xlabel() == "Russian crude to India (mb/d)"


# ------------------------------------------------------------------------------ labels
def test_labels_from_data_and_schema():
    assert labels.flow("other_imports") == "Other imports (residual)"
    assert labels.parameter("levers.oil.volume_mbd").axis == "Russian crude to India (mb/d)"
    assert labels.parameter("levers.oil.brent_usd").axis == "Brent (US$/bbl)"
    assert labels.parameter("levers.us_tariff.rate").percent
    assert labels.outcome("balance").axis == "India's balance with Russia (US$ bn)"
    assert labels.outcome("year_100bn").text == "Year trade reaches $100bn"
    assert labels.outcome("balance:2029-30").text.endswith("FY2029-30")
    assert labels.route("chennai_vladivostok") == "Chennai–Vladivostok"
    assert labels.value_range("levers.us_tariff.rate", 0, 0.5) == "0% → 50%"
    assert labels.words("levers.new_lever.some_value") == "New lever: some value"


def test_every_parameter_path_has_a_human_label(cli):
    code, out, _ = cli("paths")
    assert code == 0
    for path in out.split():
        lab = labels.parameter(path)
        assert not SNAKE.findall(lab.text) and not DOTTED.findall(lab.text), (path, lab)
        assert lab.text[:1].isupper(), (path, lab)



def test_comparison_of_one_scenario_fills_the_width(results, monkeypatch):
    """One scenario beside the baseline: its panel spans the figure (no two empty cells)."""
    table = comparison([results["baseline"], results["eaeu_fta"]])
    figures = []
    monkeypatch.setattr(p, "_save", lambda fig, path: figures.append(fig))
    p.save_comparison(table, "unused.png")
    fig = figures[0]
    fig.canvas.draw()
    (panel,) = [ax for ax in fig.axes if _title(ax) == "eaeu_fta"]
    diffs = [ax for ax in fig.axes if "change from" in _title(ax)]
    # as wide as the two difference panels below it together
    left, right = min(a.get_position().x0 for a in diffs), max(a.get_position().x1 for a in diffs)
    assert panel.get_position().width > 0.8 * (right - left)
