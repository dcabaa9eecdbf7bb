"""The PAS API files an echo by the plan's routing (services/program_routing.program_for): a Claim for
a resting TTE that names no program becomes a cardiology request for Lakeshore, which routes echo to
cardiology from 2027 (programs/cardiology/demo.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from portal_app.domain.enums import Program
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration.test_pas_api import _order, _submit, _valid, api, demo, maple, receiver  # noqa: F401

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

ECHO_SERVICE = date(2027, 1, 4)


def _echo_claim(session) -> dict:
    """The imaging example Bundle made a resting TTE (93306) for a Lakeshore member, its DTR answers
    from a questionnaire that names no Precert program (the codes and the plan's routing decide)."""
    raw = pb.for_member(pb.bundle("imaging-approved"), session, "LKS100000017", when=ECHO_SERVICE)
    for entry in raw["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Organization" and resource["identifier"][0]["value"] == "EVG":
            resource["identifier"][0]["value"], resource["name"] = "LKS", "Lakeshore Community Care (demo)"
        if resource["resourceType"] == "ServiceRequest":
            resource["code"]["coding"][0].update(code="93306", display="Transthoracic echocardiogram")
        if resource["resourceType"] == "QuestionnaireResponse":
            resource["questionnaire"] = "https://ehr.example/Questionnaire/echo-order"
            resource["item"] = [
                {"linkId": "procedure", "answer": [{"valueCoding": {"code": "tte"}}]},
                {"linkId": "indication", "answer": [{"valueCoding": {"code": "suspected_heart_failure"}}]},
            ]
        if resource["resourceType"] == "Condition":
            resource["code"]["coding"][0].update(code="I50.9", display="Heart failure, unspecified")
    item = pb.claim(raw)["item"][0]
    item["productOrService"]["coding"][0].update(code="93306", display="Transthoracic echocardiogram")
    item.pop("category", None)  # a service type naming imaging would decide before the codes
    return raw


# The fixtures come from test_pas_api (imported above), hence the redefinition ruff sees.
def test_an_echo_claim_naming_no_program_becomes_a_cardiology_request_for_the_plan_that_routes_echo_there(
    demo,  # noqa: F811
    api,  # noqa: F811
    maple,  # noqa: F811
):
    response = _valid(_submit(api, maple, _echo_claim(demo)))
    order = _order(demo, response["preAuthRef"])
    assert order.program == Program.CARDIOLOGY
    assert response["outcome"] == "complete", response.get("processNote")
