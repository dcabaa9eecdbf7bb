"""Front-end budget: the production build in Debian's Chromium, cold cache, on loopback.

    .venv/bin/python -m benchmarks.frontend_budget              # builds and serves its own portal
    .venv/bin/python -m benchmarks.frontend_budget --url http://localhost:3000   # one already running

For the sign-in, wizard and queue pages: largest contentful paint (LCP), JavaScript transferred
(and everything transferred) on a cold cache; and, for a lumbar-spine MRI filled in the wizard,
the time from clicking "Submit request" to the determination on the order summary. Each figure is
the median of ``--runs`` fresh browser contexts. Targets (issue 9): LCP under 1.0 s, submit to
determination under 500 ms. Printed, never asserted.

Without ``--url`` the script makes a scratch SQLite database (migrated, seeded), builds the
frontend for a free port (``make frontend-prod``) and serves it with one worker (``make
serve-prod``); the build is left in ``.web`` like ``make run-prod`` leaves it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.load.protocol import require_loopback  # noqa: E402 - needs PROJECT_ROOT on sys.path
from benchmarks.load.run import free_port, stop, wait_for  # noqa: E402 - needs PROJECT_ROOT on sys.path
from portal_app.services.demo_data import DEMO_ACCOUNTS  # noqa: E402 - needs PROJECT_ROOT on sys.path
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - needs PROJECT_ROOT on sys.path
from tests.e2e.pages.order_wizard import OrderWizard  # noqa: E402 - needs PROJECT_ROOT on sys.path
from tests.e2e.pages.portal import SignInPage  # noqa: E402 - needs PROJECT_ROOT on sys.path

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
NURSE = next(a for a in DEMO_ACCOUNTS if a.username == "nurse")

# Collected in the page from the first byte: every LCP candidate.
OBSERVE_LCP = """
window.__lcp = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    window.__lcp.push(entry.renderTime || entry.loadTime || entry.startTime);
}).observe({type: 'largest-contentful-paint', buffered: true});
"""
TRANSFERRED = """() => {
  const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  const js = all.filter(e => e.name.split('?')[0].endsWith('.js') || e.initiatorType === 'script');
  const sum = (list) => list.reduce((total, e) => total + (e.transferSize || 0), 0);
  return {js_bytes: sum(js), js_files: js.length, all_bytes: sum(all), requests: all.length};
}"""


def _signed_in_state(browser: Browser, base_url: str, account) -> dict:
    """Sign in once (warm, not measured) and keep only the session cookie for the cold loads."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    SignInPage(page).open().sign_in_as(account.email, account.password, name=account.full_name)
    cookies = [c for c in context.cookies() if c["name"] == "precert_session"]
    context.close()
    return {"cookies": cookies, "origins": []}


def _cold_load(browser: Browser, base_url: str, path: str, ready, storage: dict | None) -> dict:
    """One page load in a fresh context (empty cache); LCP and bytes once the page is usable."""
    context = browser.new_context(base_url=base_url, storage_state=storage)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    page.add_init_script(OBSERVE_LCP)
    started = time.perf_counter()
    page.goto(path)
    ready(page)
    usable = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    lcp = page.evaluate("Math.max(0, ...window.__lcp)")
    transferred = page.evaluate(TRANSFERRED)
    context.close()
    return {"lcp_ms": lcp, "usable_ms": usable * 1000, **transferred}


def _submit_to_determination(
    browser: Browser, base_url: str, storage: dict, member: str, service: date
) -> float:
    """Fill a lumbar MRI that meets the guideline; time the click on Submit until the decision shows."""
    context = browser.new_context(base_url=base_url, storage_state=storage)
    page = context.new_page()
    wizard = OrderWizard(page)
    wizard.lumbar_mri(member, service, weeks_of_care=8)
    button = page.get_by_role("button", name="Submit request")
    expect(button).to_be_enabled()
    started = time.perf_counter()
    button.click()
    expect(page.get_by_text("Authorized", exact=True).first).to_be_visible(timeout=20_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed * 1000


def measure(base_url: str, runs: int) -> dict:
    require_loopback(base_url)
    pages = {
        "sign-in": ("/sign-in", lambda p: SignInPage(p).wait(), None),
        "wizard": ("/orders/new", lambda p: expect(p.get_by_label("Health plan")).to_be_visible(), ORDERING),
        "queue": (
            "/review",
            lambda p: expect(p.get_by_role("heading", name="Review queue")).to_be_visible(),
            NURSE,
        ),
    }
    results: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        states = {a.username: _signed_in_state(browser, base_url, a) for a in (ORDERING, NURSE)}
        for name, (path, ready, account) in pages.items():
            storage = states[account.username] if account else None
            samples = [_cold_load(browser, base_url, path, ready, storage) for _ in range(runs)]
            results[name] = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
        service = date.today() + timedelta(days=14)
        members = [f"EVG{100000000 + 4 * (30 + i)}" for i in range(runs)]  # adults of the Evergreen plan
        timings = [
            _submit_to_determination(browser, base_url, states["ordering"], m, service) for m in members
        ]
        results["submit_to_determination_ms"] = {
            "median": statistics.median(timings),
            "max": max(timings),
            "runs": [round(t) for t in timings],
        }
        browser.close()
    return results


def serve_own_portal(workdir: Path):
    """A scratch database, the frontend built for a free port, and one worker serving both."""
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "DB_URL": f"sqlite:///{workdir / 'portal.db'}",
        "DATA_DIR": str(workdir),
        "PUBLIC_URL": url,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "DEMO_HISTORY_SIZE": "0",  # the demo data alone: the measured pages do not depend on history
    }
    env.pop("REDIS_URL", None)
    for step in ("migrate", "seed"):
        subprocess.run(
            [sys.executable, "-m", "portal_app.cli", step],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(f"Building the production frontend for {url} (make frontend-prod)...", flush=True)
    subprocess.run(
        ["make", "-s", "--no-print-directory", "frontend-prod", f"PROD_PORT={port}"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log = workdir / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                "make",
                "-s",
                "--no-print-directory",
                "serve-prod",
                f"PROD_PORT={port}",
                "PROD_HOST=127.0.0.1",
                "PROD_WORKERS=1",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(f"{url}/ping", process, log)
    wait_for(f"{url}/sign-in", process, log)
    return url, process


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="measure a portal already running here (loopback only)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="precert-frontend-") as tmp:
        process = None
        url = args.url
        if url is None:
            url, process = serve_own_portal(Path(tmp))
        try:
            results = measure(url.rstrip("/"), args.runs)
        finally:
            if process is not None:
                stop(process)
    print(f"\nFront-end budget ({url}, Chromium {CHROMIUM}, cold cache, median of {args.runs}):")
    for name in ("sign-in", "wizard", "queue"):
        r = results[name]
        print(
            f"  {name:8s} LCP {r['lcp_ms']:6.0f} ms (target < 1000)   JavaScript {r['js_bytes'] / 1024:7.1f} "
            f"KiB in {r['js_files']:.0f} files   everything {r['all_bytes'] / 1024:7.1f} KiB in "
            f"{r['requests']:.0f} requests   usable after {r['usable_ms']:.0f} ms"
        )
    s = results["submit_to_determination_ms"]
    print(
        f"  submit -> determination on screen: median {s['median']:.0f} ms, max {s['max']:.0f} ms "
        f"(target < 500; runs {s['runs']})"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
