"""The web address of a criterion's source, derived from the identifier its source text names.

A criterion row keeps its source as text (a citation, a CMS manual section, a PubMed id...). The help
page links the criterion to the first identifier that text names and that has a stable public address:

* a web address written out (``https://...``);
* a PubMed id (``PMID 31685104``, ``pubmed 30736874``): ``https://pubmed.ncbi.nlm.nih.gov/<id>/``;
* a PubMed Central id (``PMC6374094``): ``https://pmc.ncbi.nlm.nih.gov/articles/PMC<id>/``;
* a DOI (``10.1016/...``): ``https://doi.org/<doi>``;
* a CMS National Coverage Determination (``NCD 240.4``, ``NCD Manual section 20.4``,
  ``National Coverage Determination 90.2``): its Medicare Coverage Database page, when
  ``reference/cms_ncd_pages.csv`` holds the database id of that section (the address uses that id,
  which the section number does not give).

Nothing is guessed: a source naming none of these (or an NCD section without a row) has no link and
stays plain text. Pure: reads only packaged reference data.
"""

from __future__ import annotations

import csv
import re
from functools import cache

from portal_app.reference import path_of

NCD_PAGES = "cms_ncd_pages.csv"
NCD_PAGE = "https://www.cms.gov/medicare-coverage-database/view/ncd.aspx?ncdid={ncd_id}"
PUBMED_PAGE = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
PMC_PAGE = "https://pmc.ncbi.nlm.nih.gov/articles/PMC{pmcid}/"
DOI_PAGE = "https://doi.org/{doi}"

_URL = re.compile(r"https?://[^\s;,\[\]<>\"']+")
_PMID = re.compile(r"\b(?:PMID|pubmed)\s*:?\s*(\d{1,9})\b", re.IGNORECASE)
_PMCID = re.compile(r"\bPMC(\d{1,9})\b")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s;,\[\]<>\"']+)")
_NCD = re.compile(
    r"\b(?:NCD|National Coverage Determination)(?: Manual)?(?: \(Pub\. 100-03\))?(?: section)?"
    r" (\d{1,3}(?:\.\d{1,3})*)\b",
    re.IGNORECASE,
)
_TRAILING = ".)"  # a sentence's full stop or a closing parenthesis after an address is not part of it


@cache
def ncd_pages() -> dict[str, str]:
    """NCD Manual section number -> the CMS Medicare Coverage Database id of its page."""
    with path_of(NCD_PAGES).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["ncd"].strip(): row["ncd_id"].strip() for row in rows}


def _trimmed(address: str) -> str:
    return address.rstrip(_TRAILING)


def _links(source: str) -> list[tuple[int, str]]:
    """Every address the source names, with where it is named."""
    found = [(match.start(), _trimmed(match.group())) for match in _URL.finditer(source)]
    found += [(m.start(), PUBMED_PAGE.format(pmid=m.group(1))) for m in _PMID.finditer(source)]
    found += [(m.start(), PMC_PAGE.format(pmcid=m.group(1))) for m in _PMCID.finditer(source)]
    found += [(m.start(), DOI_PAGE.format(doi=_trimmed(m.group(1)))) for m in _DOI.finditer(source)]
    pages = ncd_pages()
    found += [
        (m.start(), NCD_PAGE.format(ncd_id=pages[m.group(1)]))
        for m in _NCD.finditer(source)
        if m.group(1) in pages
    ]
    return sorted(found)


def source_url(source: str) -> str:
    """The address of the first identifier `source` names (see the module docstring), else "".

    An identifier inside a written-out address (a DOI in a doi.org link) starts after it, so the
    address itself is the link."""
    found = _links(source)
    return found[0][1] if found else ""
