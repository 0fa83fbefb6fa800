"""The explorer in a real browser (headless Debian Chromium driven by Playwright): move three
levers, download the scenario, and check `tradesim run` on that file prints the numbers the page
shows; a broken upload and an out-of-range value get the CLI's one line; the exported HTML page
draws every chart with the network cut off. Screenshots go to the test's temporary directory."""

from __future__ import annotations

import pandas as pd
import pytest
from browser import ROOT, explorer, launch, missing, redraw_done, stamp

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(missing() is not None, reason=missing() or "")]

LEVERS = {  # crude volume and INSTC capacity typed; the FTA cut's slider dragged to its end
    "levers.oil.volume_mbd": "1.2",
    "levers.fta.eaeu_tariff_cut": "1.0",
    "corridors.routes.instc.capacity_mt": "2.5",
}
SLID = "levers.fta.eaeu_tariff_cut"


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def page(playwright):
    with explorer() as (url, proc):
        browser = launch(playwright)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto(url)
        pg.wait_for_selector("#summary-table td", timeout=30000)
        pg.wait_for_function("document.querySelector('#computed').textContent !== ''")
        pg.server = proc
        yield pg
        browser.close()


def move_slider(page, path: str, key: str) -> None:
    before = stamp(page)
    page.locator(f'.control:has(input[name="{path}"]) [role=slider]').focus()
    page.keyboard.press(key)
    redraw_done(page, before)


def set_field(page, path: str, value: str) -> None:
    before = stamp(page)
    field = page.locator(f'input[name="{path}"]')
    field.fill(value)
    field.press("Enter")
    redraw_done(page, before)


def shows(page, message: str) -> None:
    """Wait for the page's message line to read ``message`` (it is replaced, never appended)."""
    page.wait_for_function("m => document.querySelector('#message').textContent === m",
                           arg=message, timeout=15000)
    assert page.inner_text("#message") == message


def shown_table(page) -> pd.DataFrame:
    rows = page.eval_on_selector_all(
        "#summary-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    return pd.DataFrame([r[:5] for r in rows], columns=[
        "fiscal_year", "exports_usd_bn", "imports_usd_bn", "total_trade_usd_bn", "balance_usd_bn"])


def test_three_levers_match_tradesim_run_on_the_downloaded_file(page, tmp_path, cli):
    baseline = shown_table(page)
    for path, value in LEVERS.items():
        if path == SLID:
            move_slider(page, path, "End")  # the slider's maximum: the whole tariff removed
            assert float(page.input_value(f'input[name="{path}"]')) == float(value)
        else:
            set_field(page, path, value)
    page.screenshot(path=str(tmp_path / "explore_three_levers.png"), full_page=True)
    shown = shown_table(page)
    assert not shown.equals(baseline)
    assert page.inner_text("#message") == ""
    with page.expect_download() as dl:
        page.click("#download-btn")
    scenario = tmp_path / "explorer.toml"
    dl.value.save_as(scenario)
    text = scenario.read_text()
    for path, value in LEVERS.items():  # the levers moved on the page are in the file
        section, key = path.rsplit(".", 1)
        assert f"[{section}]" in text and f"{key} = {float(value)!r}" in text

    assert cli("validate", scenario)[0] == 0
    assert cli("run", scenario, "--out", tmp_path / "out", "--no-plots", "-q")[0] == 0
    ran = pd.read_csv(tmp_path / "out" / "explorer" / "summary.csv")
    assert list(shown["fiscal_year"]) == list(ran["fiscal_year"])
    for col in shown.columns[1:]:  # to the printed precision, every year
        assert list(shown[col]) == [f"{v:.2f}" for v in ran[col]], col
    # a lever the page moved really moved the numbers: FY2029-30 imports fall with crude
    assert float(shown.set_index("fiscal_year").loc["2029-30", "imports_usd_bn"]) < 45.0

    # reset, then upload the downloaded file: the same view comes back
    before = stamp(page)
    page.click("#reset")
    redraw_done(page, before)
    assert shown_table(page).equals(baseline)
    before = stamp(page)
    page.set_input_files("#upload input[type=file]", str(scenario))
    redraw_done(page, before)
    assert shown_table(page).equals(shown)
    for path, value in LEVERS.items():
        assert float(page.input_value(f'input[name="{path}"]')) == float(value)


def test_broken_upload_shows_the_cli_message(page, tmp_path, cli, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text('[levers.oil]\nvolume_mbd = = 1.0\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("validate", "broken.toml")
    assert code == 2
    expected = err.strip().split("error: ", 1)[1]  # "broken.toml: TOML syntax error: ..."
    page.set_input_files("#upload input[type=file]", str(broken))
    shows(page, expected)
    page.screenshot(path=str(tmp_path / "explore_broken_upload.png"))
    assert page.server.poll() is None  # still serving


def test_out_of_range_value_shows_the_cli_message(page, tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[levers.oil]\nvolume_mbd = 12.0\n')
    code, _, err = cli("validate", bad)
    assert code == 2
    expected = err.strip().split(f"error: {bad}: ", 1)[1]  # key path and what is allowed
    field = page.locator('input[name="levers.oil.volume_mbd"]')
    field.fill("12")
    field.press("Enter")
    shows(page, expected)
    page.screenshot(path=str(tmp_path / "explore_out_of_range.png"))
    assert page.server.poll() is None
    set_field(page, "levers.oil.volume_mbd", "1.5")  # a good value clears the message
    assert page.inner_text("#message") == ""


def test_exported_page_draws_every_chart_offline(playwright, tmp_path, cli):
    from model.explorer.export import charts

    out = tmp_path / "results"
    assert cli("run", "scenarios/baseline.toml", "scenarios/eaeu_fta.toml", "--out", out,
               "--no-plots", "-q")[0] == 0
    sweep = tmp_path / "fan.toml"
    sweep.write_text(f'scenario = "{ROOT / "scenarios/baseline.toml"}"\nmethod = "montecarlo"\n'
                     'n = 64\nseed = 1\noutcomes = ["balance:2029-30"]\n'
                     '[parameters."levers.oil.brent_usd"]\nlow = 50.0\nhigh = 100.0\n')
    assert cli("sweep", sweep, "--out", out)[0] == 0
    page_file = tmp_path / "page.html"
    assert cli("explore", "--export", page_file, out)[0] == 0
    expected = [len(fig["data"]) for _, fig in charts([out])]
    # balance, total trade, exports+imports of 2 scenarios; per run 8 export and 9 import
    # sectors, 4 routes, creation and diversion both ways; per fan its median and 2 bands
    assert expected == [2, 2, 4, 8, 9, 4, 4, 8, 9, 4, 4, 3, 3]

    requests = []
    # no name resolves and every request other than the file itself is refused
    browser = launch(playwright, "--host-resolver-rules=MAP * ~NOTFOUND")
    try:
        pg = browser.new_page(viewport={"width": 1200, "height": 900})
        pg.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                        if route.request.url.startswith("file://")
                                        else route.abort()))
        pg.goto(page_file.as_uri())
        pg.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === "
                             f"{len(expected)}", timeout=30000)
        drawn = pg.eval_on_selector_all(".js-plotly-plot", """els => els.map(el => [
            el.data.length, el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
            el.querySelectorAll('.legend .traces').length])""")
        pg.screenshot(path=str(tmp_path / "export.png"), full_page=True)
    finally:
        browser.close()
    assert [d[0] for d in drawn] == expected            # every series is in the page's data
    assert [d[1] for d in drawn] == expected            # ... and drawn
    assert all(d[2] == n for d, n in zip(drawn, expected, strict=True))  # ... with a legend entry
    assert [u for u in requests if not u.startswith("file://")] == []


def test_creation_and_diversion_on_request(page, tmp_path):
    import model
    from model.explorer.figures import creation_diversion

    assert page.evaluate("document.querySelector('#g-markets .js-plotly-plot').data.length") == 0
    set_field(page, "levers.fta.india_tariff_cut", "0.5")
    before = stamp(page)
    page.click("#markets input")
    redraw_done(page, before)
    drawn = page.evaluate("document.querySelector('#g-markets .js-plotly-plot').data"
                          ".map(t => [t.name, Array.from(t.y)])")
    with page.expect_download() as dl:
        page.click("#download-btn")
    dl.value.save_as(tmp_path / "now.toml")
    want = creation_diversion(model.run(tmp_path / "now.toml").markets[0])["data"]
    assert [n for n, _ in drawn] == [t["name"] for t in want]
    for (_, y), t in zip(drawn, want, strict=True):
        assert y == pytest.approx(t["y"], rel=1e-12, abs=1e-12)
    assert max(drawn[2][1]) > 0.5  # India's tariff cut creates imports from Russia
