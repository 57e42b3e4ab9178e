"""Spin → settled on screen, measured in a real browser: ``python bench/web_spin_latency.py``.

Starts ``croupier serve`` on a free port and a fresh SQLite database (or uses ``--base``),
registers a Maltese player (no minimum spin time) in the player client, deposits, opens the
slot and clicks Spin ``--spins`` times, one after another. The page itself measures each spin
with ``performance.measure`` from the click handler to the effect that runs once the
round's ``round.settled`` event (from the WebSocket) is rendered (src/croupier/web/player/app/
pages/slot.mjs); this script reads those entries and prints p50, p99 and the load average.
Needs Chromium (scripts/ensure-chromium.sh) and the test extras (Playwright).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.browser import chromium_executable
from tests.support.server import running_server
from tests.support.web_player import deposit, register


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(
    base: str, spins: int, warmup: int, *, reduced_motion: bool = False
) -> tuple[list[float], list[float]]:
    """Per spin: click → settled round on screen, and click → answer and event received."""
    executable = chromium_executable()
    if executable is None:
        raise SystemExit("chromium not found (scripts/ensure-chromium.sh installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-GB")
        page.set_default_timeout(15_000)
        if reduced_motion:  # the reels do not turn: the figure without the animation's work
            page.emulate_media(reduced_motion="reduce")
        expect.set_options(timeout=15_000)
        register(page, base)
        deposit(page, "1000.00")
        page.get_by_role("link", name="Slots").click()
        spin = page.get_by_role("button", name="Spin")
        result = page.get_by_test_id("slot-result")
        for _ in range(warmup + spins):
            previous = result.get_attribute("data-round") or ""
            spin.click()
            expect(result).not_to_have_attribute("data-round", previous)
            expect(spin).to_be_enabled()
        durations: list[float] = page.evaluate(
            "performance.getEntriesByType('measure')"
            ".filter(m => m.name.startsWith('spin-settled:')).map(m => m.duration)"
        )
        answered: list[float] = page.evaluate(
            "performance.getEntriesByType('measure')"
            ".filter(m => m.name.startsWith('spin-answered:')).map(m => m.duration)"
        )
        browser.close()
    assert len(durations) == len(answered) == warmup + spins, len(durations)
    return durations[warmup:], answered[warmup:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spins", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--base", help="a running server's URL (default: start one)")
    parser.add_argument("--reduced-motion", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.base:
        durations, answered = measure(
            args.base, args.spins, args.warmup, reduced_motion=args.reduced_motion
        )
    else:
        with (
            tempfile.TemporaryDirectory() as folder,
            running_server(f"sqlite:///{folder}/bench.db") as base,
        ):
            durations, answered = measure(
                base, args.spins, args.warmup, reduced_motion=args.reduced_motion
            )
    figures = {
        "spins": len(durations),
        "p50_ms": round(percentile(durations, 0.50), 1),
        "p99_ms": round(percentile(durations, 0.99), 1),
        "mean_ms": round(statistics.fmean(durations), 1),
        "max_ms": round(max(durations), 1),
        "answered_p50_ms": round(percentile(answered, 0.50), 1),
        "answered_p99_ms": round(percentile(answered, 0.99), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"spin → settled on screen, {figures['spins']} spins: p50 {figures['p50_ms']} ms, "
            f"p99 {figures['p99_ms']} ms, mean {figures['mean_ms']} ms, "
            f"max {figures['max_ms']} ms (answer and event received: p50 "
            f"{figures['answered_p50_ms']} ms, p99 {figures['answered_p99_ms']} ms); "
            f"load average {' '.join(map(str, figures['load_average']))}"
        )


if __name__ == "__main__":
    main()
