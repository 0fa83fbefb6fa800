"""Control-to-redraw latency of `tradesim explore`, measured in the browser (issue 14: < 200 ms).

    python benchmarks/bench_explore.py [--moves 60] [--quick]   (~30 s; --quick: 20 moves)

Starts the explorer, opens it in headless Debian Chromium (/usr/bin/chromium, `make test`
installs it) and moves the crude-volume, FTA-cut and INSTC-capacity sliders one keyboard step at
a time. The clock runs in the page: from the key press to the moment the last chart that changed has redrawn (Plotly's `plotly_afterplot`), so it covers the request, `model.run`
on the server, the response and drawing. Moves are 250 ms apart, as a person makes them. Reports
median and 90th percentile, without and with the uncertainty fan (2,000 samples).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

from _record import record  # noqa: E402
from browser import chromium, explorer, missing  # noqa: E402

IDLE_MS = 250  # a pause between moves, as a person makes them: each move meets an idle page
SLIDERS = ("levers.oil.volume_mbd", "levers.fta.eaeu_tariff_cut",
           "corridors.routes.instc.capacity_mt")
# t0 at the key press; done when #computed names the new result and every chart it lists as
# redrawn has drawn since the key press (plotly_afterplot; charts a lever does not change are
# not sent, see model/explorer/app.py). Events are kept with their times because a chart may
# draw before the text change is observed.
PROBE = """() => {
    window.__lat = [];
    const graphs = [...document.querySelectorAll('.js-plotly-plot')];
    const computed = document.querySelector('#computed');
    let t0, before, plotted, changedAt;
    const check = () => {
        if (t0 === undefined || changedAt === undefined) return;
        const want = (computed.textContent.split('redraw=')[1] || '').split(',').filter(x => x);
        const times = want.map(id => plotted.get(id));
        if (times.some(t => t === undefined)) return;
        window.__lat.push(Math.max(changedAt, ...times) - t0);
        t0 = undefined;
    };
    document.addEventListener('keydown', () => {
        t0 = performance.now(); before = computed.textContent; plotted = new Map();
        changedAt = undefined;
    }, true);
    new MutationObserver(() => {
        if (t0 !== undefined && computed.textContent !== before && changedAt === undefined) {
            changedAt = performance.now(); check();
        }
    }).observe(computed, {childList: true, characterData: true, subtree: true});
    graphs.forEach(g => g.on('plotly_afterplot', () => {
        if (t0 === undefined) return;
        plotted.set(g.parentElement.closest('[id^="g-"]').id, performance.now());
        check();
    }));
    return graphs.length;
}"""


def measure(page, moves: int) -> list[float]:
    n = page.evaluate(PROBE)
    assert n == 6, f"expected 6 charts, found {n}"
    for i in range(moves):
        path = SLIDERS[i % len(SLIDERS)]
        thumb = page.locator(f'.control:has(input[name="{path}"]) [role=slider]')
        thumb.focus()
        page.keyboard.press("ArrowRight")  # one step up: every value stays valid
        page.wait_for_function(f"window.__lat.length > {i}", timeout=15000)
        page.wait_for_timeout(IDLE_MS)
    return page.evaluate("window.__lat")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--moves", type=int, default=60)
    ap.add_argument("--quick", action="store_true", help="20 moves")
    args = ap.parse_args()
    if args.quick:
        args.moves = 20
    why = missing()
    if why:
        sys.exit(f"bench_explore: {why}")
    with explorer() as (url, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#summary-table td", timeout=30000)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 6")
        page.wait_for_timeout(500)  # first draw settled
        print(f"{'measurement':44s} {'median ms':>9s} {'p90 ms':>7s} {'n':>4s}")
        for fan in (False, True):
            if fan:
                page.reload()  # fresh listeners
                page.wait_for_selector("#summary-table td", timeout=30000)
                page.click("#uncertainty input")
                page.wait_for_function("document.querySelector('#computed').textContent"
                                       ".includes('fan=True')", timeout=30000)
                page.wait_for_timeout(500)
            lat = measure(page, args.moves)
            q = statistics.quantiles(lat, n=10)[-1]
            name = "control to redraw" + (", uncertainty fan on" if fan else "")
            print(f"{name:44s} {statistics.median(lat):9.1f} {q:7.1f} {len(lat):4d}")
            record("bench_explore", f"{name} (median)", round(statistics.median(lat), 1), "ms")
            record("bench_explore", f"{name} (p90)", round(q, 1), "ms")


if __name__ == "__main__":
    main()
