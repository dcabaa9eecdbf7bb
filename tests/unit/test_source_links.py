"""A criterion's source links to the identifier its text names (portal_app/domain/source_links.py),
and to nothing when it names none: identifiers are read, never guessed."""

from __future__ import annotations

import pytest

from portal_app.domain.enums import Program
from portal_app.domain.guidelines import GuidelineCriterion, packaged_version
from portal_app.domain.source_links import ncd_pages, source_url


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("https://acsearch.acr.org/docs/69483/Narrative/", "https://acsearch.acr.org/docs/69483/Narrative/"),
        ("ACR criteria (https://acsearch.acr.org/list).", "https://acsearch.acr.org/list"),
        (
            "Expert Panel, J Am Coll Radiol 2019;16(11S):S364-S377 (PMID 31685104): variant 3",
            "https://pubmed.ncbi.nlm.nih.gov/31685104/",
        ),
        ("[S JCSM 2019 15(2):245 (pubmed 30736874); CGS FAQ]", "https://pubmed.ncbi.nlm.nih.gov/30736874/"),
        ("PMID: 12345", "https://pubmed.ncbi.nlm.nih.gov/12345/"),
        (
            "pmc.ncbi.nlm.nih.gov PMC6374094 (guideline text)",
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC6374094/",
        ),
        (
            "Smith J, Circulation 2020. doi 10.1161/CIR.0000000000000678.",
            "https://doi.org/10.1161/CIR.0000000000000678",
        ),
        (
            "CMS National Coverage Determination 90.2 (public text)",
            "https://www.cms.gov/medicare-coverage-database/view/ncd.aspx?ncdid=372",
        ),
        (
            "[S approvalhelp NCD 240.4 summary]",
            "https://www.cms.gov/medicare-coverage-database/view/ncd.aspx?ncdid=226",
        ),
    ],
)
def test_a_named_identifier_gives_its_public_address(source, url):
    assert source_url(source) == url


@pytest.mark.parametrize(
    "source",
    [
        "",
        "[K: from memory of the Carelon joint surgery guideline]",
        "Douglas PS et al., J Am Coll Cardiol 2011;57:1126-1166",  # a citation is not an identifier
        "ccjm.org summary table",  # a site's name is not the address of the document
        "CMS NCD Manual (Pub. 100-03) section 20.4, part B",  # no verified page id for 20.4
        "HCPCS Level II per clinical-reference 3.7",
        "ftp://example.org/file",
    ],
)
def test_a_source_naming_no_identifier_has_no_link(source):
    assert source_url(source) == ""


def test_the_first_identifier_named_is_the_link():
    both = "NCD 240.4 summary; AASM guideline (PMID 30736874)"
    assert source_url(both).endswith("ncdid=226")
    assert source_url("PMID 30736874; NCD 240.4").endswith("/30736874/")


def test_an_ncd_section_is_linked_only_by_a_page_id_read_from_cms():
    # The page address uses the database's own id: each row of cms_ncd_pages.csv was read from cms.gov.
    assert ncd_pages() == {"240.4": "226", "90.2": "372"}
    assert source_url("NCD 240.41") == ""  # another section, not a prefix match


def test_a_criterion_row_links_the_identifier_its_source_names():
    row = GuidelineCriterion("X-1", "Text.", "Citation", "Guideline text, PMC6374094")
    assert row.source_url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC6374094/"


def test_packaged_criteria_that_name_an_identifier_are_linked():
    linked = {
        (program.value, item.criterion_id): item.source_url
        for program in Program
        for item in packaged_version(program).criteria
        if item.source_url
    }
    assert linked[("imaging", "HA-1")] == "https://pubmed.ncbi.nlm.nih.gov/31685104/"
    assert linked[("sleep", "pap_adherence")] == "https://pubmed.ncbi.nlm.nih.gov/30736874/"
    assert linked[("genetic_testing", "SOM-1")].endswith("ncdid=372")
    assert ("cardiology", "ICD-1") not in linked  # NCD 20.4: no verified page id, plain text
    assert all(url.startswith("https://") for url in linked.values())
