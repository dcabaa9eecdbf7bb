"""Open Playwright's recorder on a running portal with Debian's Chromium (`make e2e-codegen`).

`playwright codegen` only drives the browsers Playwright downloads, which cannot be downloaded
here; `page.pause()` opens the same Inspector, whose Record button writes the script as you click.
Needs a display: on a server run `xvfb-run -a make e2e-codegen`.
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=False)
        page = browser.new_page()
        page.goto(url)
        page.pause()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:3000")
