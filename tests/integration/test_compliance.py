"""Issue 24 against a real database (SQLite and PostgreSQL): gold-card exemptions at submission and
after rescission, the evaluation job, decision clocks and extensions, transition of care, and the
public transparency report."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.models import (
    Document,
    GoldCardEvaluation,
    GoldCardExemption,
    HealthPlan,
    Note,
    Order,
    OrderClock,
    OrderExemption,
    OrderLine,
    OutboxEmail,
    Provider,
    ReviewTask,
)
from portal_app.services import continuity, decision_clocks, gold_card, transparency
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.metrics import review_metrics
from portal_app.services.order_submission import submit_order
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import PENDING_LOW_BACK, TODAY, actor_for, draft_order, member_by_number

pytestmark = [
    pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True),
    pytest.mark.usefixtures("demo_data"),
]


@pytest.fixture
def demo(session, monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))  # letters are written under tmp_path
    get_settings.cache_clear()
    load_demo_data(session)
    yield session
    get_settings.cache_clear()


def _ordering_provider(session) -> Provider:
    # The provider draft_order chooses (order_helpers.py): the second of Maple Street's.
    return session.exec(select(Provider).where(Provider.tax_id == "90-1000001")).all()[1]


def _exempt(
    session, provider: Provider, *, code="72148", since=TODAY - timedelta(days=30)
) -> GoldCardExemption:
    plan = session.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    run = GoldCardEvaluation(
        plan_id=plan.id,
        rule_set="TX_4201N",
        period="2026-01",
        lookback_from=date(2025, 1, 1),
        lookback_to=date(2025, 12, 31),
        evaluated=1,
        exempt=1,
    )
    session.add(run)
    session.flush()
    exemption = GoldCardExemption(
        evaluation_id=run.id,
        plan_id=plan.id,
        provider_id=provider.id,
        service_code=code,
        rule_set="TX_4201N",
        requests=20,
        approved=19,
        percent=95.0,
        lookback_from=date(2025, 1, 1),
        lookback_to=date(2025, 12, 31),
        effective_from=since,
    )
    session.add(exemption)
    session.commit()
    return exemption


def _submit_pending(session, office, member="EVG100000012", when=TODAY):
    service = max(when, TODAY) + timedelta(days=14)
    order_id = draft_order(session, office, member=member, details=PENDING_LOW_BACK, service=service)
    return submit_order(session, actor=office, order_id=order_id, today=when)


def test_an_exempt_providers_request_gets_its_number_at_once_and_counts_as_exempt(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    provider = _ordering_provider(demo)
    assert not gold_card.is_exempt(demo, provider.npi, "72148", TODAY).exempt
    before = _submit_pending(demo, office)
    assert before.status == "In Progress"  # without the exemption the same request pends

    exemption = _exempt(demo, provider)
    status = gold_card.is_exempt(demo, provider.npi, "72148", TODAY)
    assert status.exempt and "19 of 20" in status.reason
    result = _submit_pending(demo, office, member="EVG100000016")
    assert result.order_number and result.status == "Authorized"
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    assert demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).first() is None
    [exempted] = demo.exec(select(OrderExemption).where(OrderExemption.order_id == order.id)).all()
    assert exempted.kind == "gold_card"
    text, rescindable = gold_card.case_exemption_detail(demo, actor=nurse, order_number=result.order_number)
    assert text.startswith("Exempt: gold card") and rescindable == exemption.id
    # The request submitted before the exemption shows it too: its provider is exempt for 72148.
    assert (
        gold_card.case_exemption_detail(demo, actor=nurse, order_number=before.order_number)[1]
        == exemption.id
    )
    start = datetime.now(UTC).date()
    population = gold_card.exempt_population(demo, actor=nurse, date_from=start, date_to=start)
    assert population.exempt_requests == 1 and population.exempt_providers == 1
    assert population.requests >= 2 and population.percent_exempt == round(100.0 / population.requests, 1)
    with pytest.raises(PermissionDenied):
        gold_card.exempt_population(demo, actor=office, date_from=start, date_to=start)


def test_a_rescinded_exemption_stops_only_after_its_notice_period(demo):
    office, physician = actor_for(demo, "ordering"), actor_for(demo, "physician")
    provider = _ordering_provider(demo)
    exemption = _exempt(demo, provider, since=date(2026, 1, 1))
    # Under the 2025 text rescission is allowed in January only.
    with pytest.raises(gold_card.RescissionRefused, match="January"):
        gold_card.rescind_exemption(
            demo,
            actor=physician,
            exemption_id=exemption.id,
            sample_size=10,
            sample_met=3,
            reason="Retrospective review of ten claims",
            today=date(2026, 11, 2),
        )
    with pytest.raises(PermissionDenied):
        gold_card.rescind_exemption(
            demo,
            actor=office,
            exemption_id=exemption.id,
            sample_size=10,
            sample_met=3,
            reason="Retrospective review of ten claims",
            today=date(2027, 1, 6),
        )
    mails_before = len(demo.exec(select(OutboxEmail)).all())
    gold_card.rescind_exemption(
        demo,
        actor=physician,
        exemption_id=exemption.id,
        sample_size=10,
        sample_met=3,
        reason="Retrospective review of ten claims",
        today=date(2027, 1, 6),
    )
    demo.refresh(exemption)
    assert exemption.effective_until == date(2027, 1, 31)  # 25 days after the notice
    notices = demo.exec(select(OutboxEmail)).all()[mails_before:]
    assert notices and all(provider.npi in m.body and "EVG1" not in m.body for m in notices)
    # During the notice period the exemption still applies; from its end it does not.
    assert gold_card.is_exempt(demo, provider.npi, "72148", date(2027, 1, 30)).exempt
    assert not gold_card.is_exempt(demo, provider.npi, "72148", date(2027, 1, 31)).exempt
    with clock.frozen_at(datetime(2027, 1, 30, 15, 0, tzinfo=UTC)):
        during = _submit_pending(demo, office, member="EVG100000016", when=date(2027, 1, 30))
    with clock.frozen_at(datetime(2027, 1, 31, 15, 0, tzinfo=UTC)):
        after = _submit_pending(demo, office, member="EVG100000020", when=date(2027, 1, 31))
    assert during.status == "Authorized" and after.status == "In Progress"


def test_the_evaluation_job_grants_exemptions_from_decided_requests_and_notifies(demo):
    provider = _ordering_provider(demo)
    plan = demo.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    office = actor_for(demo, "ordering")
    member = member_by_number(demo, "EVG100000012")
    # 10 decided MRI requests in 2026: 9 approved, 1 denied (90 %), and 4 CT requests all approved.
    for i, (code, decision) in enumerate(
        [("72148", "authorized")] * 9 + [("72148", "non_authorized")] + [("70450", "authorized")] * 4
    ):
        order = Order(
            order_number=f"GC{i:08d}",
            program="imaging",
            plan_id=plan.id,
            member_id=member.id,
            practice_id=office.practice_ids[0],
            ordering_provider_id=provider.id,
            status="authorized" if decision == "authorized" else "non_authorized",
            submitted_at=datetime(2026, 3, 1 + i, 9, 0, tzinfo=UTC),
            initial_outcome="approved_by_rules" if decision == "authorized" else "denied",
            created_by_id=office.user_id,
            updated_by_id=office.user_id,
        )
        demo.add(order)
        demo.flush()
        demo.add(OrderLine(order_id=order.id, line_number=1, code_system="CPT", code=code, decision=decision))
    demo.commit()
    mails_before = len(demo.exec(select(OutboxEmail)).all())
    assert gold_card.run_evaluations(demo, today=date(2026, 12, 1)) == 0  # December: no evaluation
    assert gold_card.run_evaluations(demo, today=date(2027, 1, 1)) == 1
    assert gold_card.run_evaluations(demo, today=date(2027, 1, 2)) == 0  # once per month
    [granted] = demo.exec(select(GoldCardExemption).where(GoldCardExemption.provider_id == provider.id)).all()
    assert (granted.service_code, granted.requests, granted.approved, granted.percent) == (
        "72148",
        10,
        9,
        90.0,
    )
    assert (granted.lookback_from, granted.lookback_to) == (date(2026, 1, 1), date(2026, 12, 31))
    # 70450: 4 requests, fewer than the minimum of 5: no exemption.
    notices = demo.exec(select(OutboxEmail)).all()[mails_before:]
    assert notices and "72148" in notices[0].body and "70450" not in notices[0].body
    assert "gold card" in notices[0].subject


def test_the_clock_follows_the_coverage_and_a_reviewer_extends_with_notice(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    # Riverbend's dual-eligible members follow the Medicare Advantage rule: 7 days, extension up to 14.
    result = _submit_pending(demo, office, member="RVB100000003")
    assert result.status == "In Progress", result
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    stored = demo.exec(select(OrderClock).where(OrderClock.order_id == order.id)).one()
    [task] = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    assert stored.rule_id == "CMS_0057F_MA" and stored.extension_days_allowed == 14
    assert abs(
        task.due_at.replace(tzinfo=None) - (order.submitted_at.replace(tzinfo=None) + timedelta(days=7))
    ) < timedelta(seconds=2)

    with pytest.raises(decision_clocks.ExtensionRefused, match="1 to 14"):
        decision_clocks.extend_review(
            demo, actor=nurse, order_number=result.order_number, days=20, reason="Waiting for the MRI report"
        )
    with pytest.raises(PermissionDenied):
        decision_clocks.extend_review(
            demo, actor=office, order_number=result.order_number, days=5, reason="Waiting for the MRI report"
        )
    view = decision_clocks.extend_review(
        demo, actor=nurse, order_number=result.order_number, days=10, reason="Waiting for the MRI report"
    )
    assert view.extended and "Medicare Advantage" in view.rule
    demo.refresh(task)
    assert abs(
        task.due_at.replace(tzinfo=None) - (order.submitted_at.replace(tzinfo=None) + timedelta(days=17))
    ) < timedelta(seconds=2)
    letters = demo.exec(
        select(Document).where(Document.order_id == order.id, Document.kind == "letter")
    ).all()
    assert sorted(d.filename.rsplit("-", 1)[-1] for d in letters) == ["member.pdf", "provider.pdf"]
    assert all("-extension-" in d.filename for d in letters)
    note = demo.exec(select(Note).where(Note.order_id == order.id)).one()
    assert "extended by 10 calendar days" in note.body and note.visibility == "provider"
    with pytest.raises(decision_clocks.ExtensionRefused, match="already"):
        decision_clocks.extend_review(
            demo, actor=nurse, order_number=result.order_number, days=2, reason="Waiting for the MRI report"
        )

    # Evergreen's commercial members follow the floor rule: no extension.
    other = _submit_pending(demo, office)
    with pytest.raises(decision_clocks.ExtensionRefused, match="no extension"):
        decision_clocks.extend_review(
            demo, actor=nurse, order_number=other.order_number, days=2, reason="Waiting for the MRI report"
        )


def test_extended_reviews_are_counted_separately_in_the_metrics(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    from portal_app.services import review

    result = _submit_pending(demo, office, member="RVB100000003")
    decision_clocks.extend_review(
        demo, actor=nurse, order_number=result.order_number, days=3, reason="Waiting for the MRI report"
    )
    order = demo.exec(select(Order).where(Order.order_number == result.order_number)).one()
    [task] = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    review.claim_task(demo, actor=nurse, task_id=task.id)
    demo.refresh(order)
    review.approve_line(
        demo,
        actor=nurse,
        order_number=result.order_number,
        line_number=1,
        version=order.version,
        note="Meets",
    )
    today = datetime.now(UTC).date()
    figures = review_metrics(demo, actor=nurse, date_from=today, date_to=today)
    assert figures.extended == 1 and figures.approved_after_extension == 1
    assert figures.standard.approved_after_extension == 1 and figures.urgent.extended == 0


def test_a_transition_of_care_authorization_is_honoured_for_ninety_days(demo):
    office, nurse = actor_for(demo, "ordering"), actor_for(demo, "nurse")
    provider = _ordering_provider(demo)
    member = member_by_number(demo, "EVG100000012")
    member.eligibility_start = TODAY - timedelta(days=10)  # joined Evergreen ten days ago
    demo.add(member)
    demo.commit()
    common = dict(
        plan_id=member.plan_id,
        member_number=member.member_number,
        program="imaging",
        prior_plan_name="Previous Health Plan",
        prior_number="PHP-123456",
        prior_code="72148",
        prior_provider_npi=provider.npi,
        prior_valid_from=TODAY - timedelta(days=40),
        prior_valid_until=TODAY + timedelta(days=200),
        ordering_npi=provider.npi,
        today=TODAY,
    )
    same = continuity.enter_transition_authorization(
        demo, actor=office, requested_code="72148", servicing_npi=provider.npi, **common
    )
    assert same.status == "Authorized", same
    order = demo.exec(select(Order).where(Order.order_number == same.order_number)).one()
    assert continuity.honoured_until(demo, order_id=order.id) == member.eligibility_start + timedelta(days=89)
    assert (
        demo.exec(select(OrderExemption).where(OrderExemption.order_id == order.id)).one().kind
        == "transition"
    )
    assert demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).first() is None

    other_provider = demo.exec(select(Provider).where(Provider.tax_id == "90-1000001")).all()[3]
    changed = continuity.enter_transition_authorization(
        demo, actor=office, requested_code="72148", servicing_npi=other_provider.npi, **common
    )
    assert changed.status == "In Progress" and "provider" in changed.message
    changed_order = demo.exec(select(Order).where(Order.order_number == changed.order_number)).one()
    assert demo.exec(select(ReviewTask).where(ReviewTask.order_id == changed_order.id)).one().reason

    late = continuity.enter_transition_authorization(
        demo,
        actor=office,
        requested_code="72148",
        servicing_npi=provider.npi,
        **{**common, "today": member.eligibility_start + timedelta(days=90)},
    )
    assert not late.order_number and late.problems

    start = datetime.now(UTC).date()
    population = gold_card.exempt_population(demo, actor=nurse, date_from=start, date_to=start)
    assert population.transition_requests == 1 and population.exempt_requests == 0


def test_the_public_report_has_the_plans_services_and_the_dashboards_figures(demo):
    nurse = actor_for(demo, "nurse")
    plan = demo.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    year = datetime.now(UTC).year
    report = transparency.plan_report(demo, plan_id=plan.id, year=year)
    assert report is not None and report.plan_name == plan.name
    assert [p.program for p in report.programs] == sorted(
        ["imaging", "musculoskeletal", "sleep", "surgical"],
        key=lambda code: next(p.label for p in report.programs if p.program == code),
    )
    imaging = next(p for p in report.programs if p.program == "imaging")
    assert any(s.code == "72148" for s in imaging.services)
    assert "Commercial HMO/POS" in imaging.lines_of_business
    dashboard = review_metrics(
        demo, actor=nurse, date_from=date(year, 1, 1), date_to=date(year, 12, 31), plan_id=plan.id
    )
    standard = next(r for r in report.metrics if r.requests == "Standard")
    assert standard.decided == dashboard.standard.decided
    assert standard.percent_approved == dashboard.standard.percent_approved
    name, text = transparency.download(
        demo, plan_id=plan.id, year=year, kind="json", client_address="192.0.2.7"
    )
    assert name.endswith(".json") and json.loads(text)["plan_name"] == plan.name
    name, text = transparency.download(
        demo, plan_id=plan.id, year=year, kind="csv", client_address="192.0.2.7"
    )
    assert "Percent approved after appeal" in text and "72148" in text
    # Aggregates only: no member number of the demo data is in a download.
    assert "EVG1" not in text and "RVB1" not in text
    assert transparency.plan_report(demo, plan_id=plan.id, year=year + 1) is None


def test_demo_history_gives_last_years_figures_and_one_exempt_provider(demo):
    from portal_app.services.demo_history import GOLD_CARD_CODE, exempt_demo_provider, load_demo_history

    today = date(2026, 12, 4)
    added = load_demo_history(demo, today=today)
    assert added > 50 and load_demo_history(demo, today=today) == 0  # safe to run twice
    provider = exempt_demo_provider(demo)
    status = gold_card.is_exempt(demo, provider.npi, GOLD_CARD_CODE[0], today)
    assert status.exempt and "approved" in status.reason
    [exemption] = demo.exec(select(GoldCardExemption)).all()
    assert exemption.percent >= 90 and exemption.requests >= 5
    plan = demo.exec(select(HealthPlan).where(HealthPlan.code == "LKS")).one()
    report = transparency.plan_report(demo, plan_id=plan.id, year=2025)
    assert report is not None and sum(r.decided for r in report.metrics) > 10
