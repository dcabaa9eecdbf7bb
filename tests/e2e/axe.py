"""Run axe-core (installed from the npm registry into .tools/ by `make browser`) on a page.

`serious_violations(page)` injects axe into the page as it is now and returns the violations of
impact "serious" or "critical" against WCAG 2.0/2.1 A and AA, each as a short readable line, and
every table without a name of its own (axe accepts a name on the wrapper; the page objects find
tables by role and name, so the name must be on the table: a caption or aria-label(ledby)).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"axe-core is missing at {AXE_SCRIPT}: run `make browser` first")
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    found = []
    for violation in result["violations"]:
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        targets = [node.get("html", "")[:160] for node in violation["nodes"][:3]]
        found.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return found + unnamed_tables(page)


UNNAMED_TABLES = """() => [...document.querySelectorAll('table')]
    .filter(t => !(t.caption && t.caption.textContent.trim())
        && !(t.getAttribute('aria-label') || '').trim() && !t.getAttribute('aria-labelledby'))
    .map(t => t.outerHTML.slice(0, 160))"""


def unnamed_tables(page: Page) -> list[str]:
    return [f"serious: a table without a name at {html}" for html in page.evaluate(UNNAMED_TABLES)]


def assert_accessible(page: Page, what: str) -> None:
    problems = serious_violations(page)
    assert not problems, f"{what}: " + "\n".join(problems)
