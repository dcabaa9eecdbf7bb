"""Support's Markdown, made safe before it is stored: raw HTML escaped, links only to http(s)."""

from __future__ import annotations

import pytest

from portal_app.domain.safe_markdown import allowed_url, clean_markdown


def test_raw_html_is_escaped_so_it_shows_as_text():
    text = 'Hello <script>alert("x")</script> and <img src=x onerror=alert(1)> **bold**'
    assert clean_markdown(text) == (
        'Hello &lt;script>alert("x")&lt;/script> and &lt;img src=x onerror=alert(1)> **bold**'
    )
    assert "<" not in clean_markdown("<a href='javascript:alert(1)'>x</a>\n<iframe src=//x>")


@pytest.mark.parametrize(
    "link",
    [
        "[Click](javascript:alert(1))",
        "[Click](JavaScript:alert(1))",
        "[Click]( javascript:alert(1) )",
        "[Click](data:text/html;base64,PHNjcmlwdD4=)",
        "[Click](vbscript:msgbox)",
        "[Click](//evil.test/x)",
        "[Click](/relative/path)",
        "[Click](javascript&#58;alert(1))",
        "[Click](<javascript:alert(1)>)",
        "[a [nested] label](javascript:alert(1))",
        '[Click](javascript:alert(1) "a title")',
    ],
)
def test_a_link_to_anything_but_http_or_https_loses_its_destination(link):
    cleaned = clean_markdown(link)
    assert "](" not in cleaned, cleaned
    assert "Click" in cleaned or "label" in cleaned


def test_http_and_https_links_stay():
    text = 'See [the guide](https://example.org/guide "Guide") and [old](http://example.org/a_(b)).'
    assert clean_markdown(text) == text


def test_reference_definitions_keep_only_http_destinations():
    text = "[ok][1] and [bad][2]\n\n[1]: https://example.org\n[2]: javascript:alert(1)\n  [3]:"
    cleaned = clean_markdown(text)
    assert "[1]: https://example.org" in cleaned
    assert "\\[2]: javascript:alert(1)" in cleaned  # no longer a definition: shown as text
    assert "  \\[3]:" in cleaned


def test_images_become_links_and_bad_image_sources_go():
    assert clean_markdown("![chart](https://example.org/c.png)") == "\\![chart](https://example.org/c.png)"
    assert clean_markdown("![x](javascript:void)") == "\\![x]"


def test_newlines_are_normalised_and_nul_removed():
    assert clean_markdown("  a\r\nb\rc\x00  ") == "a\nb\nc"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.org", True),
        ("HTTP://EXAMPLE.ORG/x", True),
        ("javascript:alert(1)", False),
        ("mailto:a@b.test", False),
        ("https://", False),
        ("", False),
    ],
)
def test_allowed_url(url, allowed):
    assert allowed_url(url) is allowed
