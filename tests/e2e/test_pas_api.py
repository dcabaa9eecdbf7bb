"""A request an EHR submits through the PAS API is a case like any other: it waits in the nurse's
review queue and appears in the ordering office's "My orders" list."""

from __future__ import annotations

import httpx
from joserfc.jwk import KeySet
from playwright.sync_api import Page, expect

from portal_app.services import api_clients
from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.portal import navigate, sign_in_reusing_session, sign_out
from tests.integration import pas_bundles as pb

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
MEMBER = "EVG100000140"  # a Maple Street patient no other browser test uses


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _submit_through_the_api(portal: dict, portal_db) -> str:
    """Register an EHR for Maple Street, get a token with a signed assertion, submit a pended
    imaging request; returns its order number."""
    key = pb.new_key("RS384")
    client_id = api_clients.register_client(
        portal_db,
        actor=None,
        name="E2E EHR",
        practice_tax_id=pb.MAPLE_TAX_ID,
        jwks=KeySet([key]).as_dict(private=False),
    )
    client = pb.Client(client_id, key, "RS384")
    url = portal["url"]
    with httpx.Client(base_url=url, timeout=30) as http:
        token = http.post(
            api_clients.TOKEN_PATH,
            data=client.token_form(client.assertion(aud=f"{url}{api_clients.TOKEN_PATH}")),
        )
        assert token.status_code == 200, token.text
        bundle = pb.for_member(pb.bundle("imaging-pended"), portal_db, MEMBER)
        answer = http.post(
            "/fhir/Claim/$submit",
            json=bundle,
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Content-Type": "application/fhir+json",
            },
        )
    assert answer.status_code == 200, answer.text
    response = answer.json()["entry"][0]["resource"]
    assert response["resourceType"] == "ClaimResponse" and response["outcome"] == "queued"
    return response["preAuthRef"]


def test_a_request_submitted_through_the_api_is_in_the_queue_and_in_my_orders(page: Page, portal, portal_db):
    number = _submit_through_the_api(portal, portal_db)

    _sign_in(page, "nurse")
    navigate(page, "Review queue")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.get_by_label("Plan").select_option(label="Evergreen Mutual Health (demo)")
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name="Case review")).to_be_visible()
    expect(page.get_by_text(MEMBER).first).to_be_visible()
    expect(page.get_by_role("button", name="Approve line 1")).to_be_visible()
    sign_out(page)

    _sign_in(page, "ordering")
    navigate(page, "My orders")
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    page.get_by_label("Member ID or last name").fill(MEMBER)
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("In Progress")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
