"""Registering CRD clients (EHR organisations) as PAS clients are registered: by a support admin or
the operator, audited; refused with a reason for a bad JWKS URL, bad NPIs or a second registration;
other roles may not."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.domain.enums import UserStatus
from portal_app.models import AuditEvent, CrdClient, User
from portal_app.services.authz import PermissionDenied
from portal_app.services.crd.clients import (
    ClientRefused,
    disable_crd_client,
    register_crd_client,
    set_fhir_servers,
)
from portal_app.services.demo_data import load_demo_data
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

NPI = "1990000006"  # a demo ordering provider (valid Luhn check digit)


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _register(session, actor=None, **overrides):
    values = {
        "client_id": "https://ehr.example.test",
        "name": "Example EHR",
        "jwks_url": "https://ehr.example.test/jwks.json",
        "npis": (NPI,),
    }
    return register_crd_client(session, actor=actor, **(values | overrides))


def test_a_support_admin_registers_a_client_with_a_disabled_service_user(demo):
    admin = actor_for(demo, "support")
    assert _register(demo, admin) == "https://ehr.example.test"
    client = demo.exec(select(CrdClient)).one()
    assert client.npis == [NPI] and client.active
    assert demo.get(User, client.user_id).status == UserStatus.DISABLED
    event = demo.exec(select(AuditEvent).where(AuditEvent.action == "crd_client.registered")).one()
    assert event.user_id == admin.user_id
    disable_crd_client(demo, actor=admin, client_id=client.client_id)
    demo.refresh(client)
    assert not client.active


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"jwks_url": "http://ehr.example.test/jwks.json"}, "https"),
        ({"jwks_url": "https://user@ehr.example.test/jwks.json"}, "credentials"),
        ({"npis": ("1234567890",)}, "not valid"),  # fails the NPI check digit
        ({"npis": ()}, "NPIs"),
        ({"name": " "}, "name"),
        ({"client_id": ""}, "iss"),
        ({"fhir_servers": ("http://169.254.169.254/r4",)}, "https"),
        ({"fhir_servers": ("https://user@ehr.example.test/r4",)}, "credentials"),
        ({"fhir_servers": ("https://ehr.example.test/r4?_format=json",)}, "query"),
    ],
)
def test_a_registration_is_refused_with_a_reason(demo, overrides, reason):
    with pytest.raises(ClientRefused, match=reason):
        _register(demo, **overrides)


def test_a_client_id_is_registered_once(demo):
    _register(demo)
    with pytest.raises(ClientRefused, match="already"):
        _register(demo)


def test_office_staff_may_not_register_clients(demo):
    with pytest.raises(PermissionDenied):
        _register(demo, actor_for(demo, "ordering"))


def test_fhir_servers_are_registered_in_one_form_and_replaced_audited(demo):
    _register(demo, fhir_servers=("HTTPS://EHR.example.test:443/r4/", "https://ehr.example.test/r4"))
    client = demo.exec(select(CrdClient)).one()
    assert client.fhir_servers == ["https://ehr.example.test/r4"]
    admin = actor_for(demo, "support")
    kept = set_fhir_servers(
        demo, actor=admin, client_id=client.client_id, fhir_servers=("https://fhir.ehr.example.test:8443/",)
    )
    demo.refresh(client)
    assert kept == client.fhir_servers == ["https://fhir.ehr.example.test:8443"]
    event = demo.exec(select(AuditEvent).where(AuditEvent.action == "crd_client.fhir_servers_set")).one()
    assert event.user_id == admin.user_id and event.detail["fhir_servers"] == kept
    with pytest.raises(PermissionDenied):
        set_fhir_servers(demo, actor=actor_for(demo, "ordering"), client_id=client.client_id, fhir_servers=())
    with pytest.raises(ClientRefused, match="No CRD client"):
        set_fhir_servers(demo, actor=None, client_id="https://stranger.test", fhir_servers=())
