"""Documents needed, uploaded to a draft before submitting and after a denial; a case withdrawn as a
duplicate in the program's wording; the hospital site of care decided by a physician only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.domain.enums import ReviewQueue, TaskKind
from portal_app.models import Document, Facility, NetworkParticipation, Order, ReviewTask
from portal_app.services import review
from portal_app.services.authz import PermissionDenied
from portal_app.services.documents import DocumentRefused, store_document
from portal_app.services.letters import build_letter_contents
from portal_app.services.metrics import review_metrics
from portal_app.services.order_entry import DraftNotFound
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import OrderNotFound, get_order_summary
from portal_app.services.review import ActionRefused
from portal_app.services.supporting_documents import (
    documents_needed_for_draft,
    documents_review_status,
    send_documents_for_review,
)
from portal_app.services.withdrawals import withdraw_duplicate
from tests.conftest import BACKENDS
from tests.integration.order_helpers import LOW_BACK, PENDING_LOW_BACK, TODAY, draft_order, member_by_number
from tests.integration.test_review import (
    MEMBERS,
    _denied,
    _denied_on,
    _order,
    _pended,
    _people,
    _slots,
    _tasks,
    _version,
)
from tests.integration.test_review import demo as review_demo

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

# test_review's demo data: a second nurse and physician, letters under tmp_path, no waiting demo cases.
demo = review_demo

PDF = b"%PDF-1.4\n% therapy notes\n%%EOF\n"
HOSPITAL_MRI = {**LOW_BACK, "site_of_care": "hospital_outpatient", "hospital_reason": "Needs sedation."}


def _needed(items) -> dict[str, tuple[str, ...]]:
    return {item.document_id: item.arrived for item in items}


def test_documents_listed_for_a_draft_are_uploaded_before_submit_and_reach_the_reviewer(demo):
    p = _people(demo)
    meets = draft_order(demo, p["ordering"], member=MEMBERS[0], details=LOW_BACK)
    assert documents_needed_for_draft(demo, actor=p["ordering"], draft_id=meets) == ()  # approved at once

    draft_id = draft_order(demo, p["ordering"], member=MEMBERS[1], details=PENDING_LOW_BACK)
    listed = documents_needed_for_draft(demo, actor=p["ordering"], draft_id=draft_id)
    assert _needed(listed) == {"conservative_care_notes": (), "red_flag_findings": ()}
    assert "6 weeks" in listed[0].document

    store_document(
        demo,
        actor=p["ordering"],
        draft_id=draft_id,
        filename="pt-notes.pdf",
        content=PDF,
        needed_document="conservative_care_notes",
    )
    with pytest.raises(DocumentRefused, match="listed documents"):
        store_document(
            demo,
            actor=p["ordering"],
            draft_id=draft_id,
            filename="x.pdf",
            content=PDF,
            needed_document="nope",
        )
    with pytest.raises(DraftNotFound):  # another practice's draft
        store_document(demo, actor=p["ordering2"], draft_id=draft_id, filename="x.pdf", content=PDF)
    with pytest.raises(PermissionDenied):
        store_document(demo, actor=p["nurse"], draft_id=draft_id, filename="x.pdf", content=PDF)
    listed = documents_needed_for_draft(demo, actor=p["ordering"], draft_id=draft_id)
    assert _needed(listed)["conservative_care_notes"] == ("pt-notes.pdf",)

    number = submit_order(demo, actor=p["ordering"], order_id=draft_id, today=TODAY).order_number
    view = review.open_case(demo, actor=p["nurse"], order_number=number)
    assert [label for _, label in view.documents] == ["pt-notes.pdf (application/pdf, 31 bytes)"]
    assert dict(view.documents_needed) == {
        listed[0].document: "Received: pt-notes.pdf",
        listed[1].document: "Not received",
    }
    summary = get_order_summary(demo, actor=p["ordering"], order_number=number)
    assert summary.documents_needed[1] == ("red_flag_findings", listed[1].document, "Not received")
    with pytest.raises(OrderNotFound):  # an office cannot add to another practice's order
        store_document(demo, actor=p["ordering2"], order_number=number, filename="x.pdf", content=PDF)


def test_documents_after_a_denial_open_a_physicians_reconsideration_then_an_appeal(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[2])
    with pytest.raises(ActionRefused, match="being reviewed"):
        send_documents_for_review(demo, actor=p["ordering"], order_number=number)
    _denied(demo, p, number)
    denied_on = _denied_on(demo, number)
    assert documents_review_status(demo, actor=p["ordering"], order_number=number, today=denied_on)[0] == (
        "reconsideration"
    )
    with pytest.raises(ActionRefused, match="Upload the supporting documents first"):
        send_documents_for_review(demo, actor=p["ordering"], order_number=number, today=denied_on)
    with pytest.raises(OrderNotFound):
        store_document(demo, actor=p["ordering2"], order_number=number, filename="x.pdf", content=PDF)
    store_document(demo, actor=p["ordering"], order_number=number, filename="pt.pdf", content=PDF)
    with pytest.raises(PermissionDenied):
        send_documents_for_review(demo, actor=p["nurse"], order_number=number, today=denied_on)
    with pytest.raises(OrderNotFound):
        send_documents_for_review(demo, actor=p["ordering2"], order_number=number, today=denied_on)

    kind = send_documents_for_review(
        demo, actor=p["ordering"], order_number=number, note="PT since October.", today=denied_on
    )
    task = _tasks(demo, number)[-1]
    assert (kind, task.kind, task.queue) == (
        "reconsideration",
        TaskKind.RECONSIDERATION,
        ReviewQueue.PHYSICIAN,
    )
    assert "pt.pdf" in task.reason and "PT since October." in task.reason
    with pytest.raises(ActionRefused):  # a nurse cannot take the physician's task
        review.claim_task(demo, actor=p["nurse"], task_id=task.id)
    view = review.open_case(demo, actor=p["physician"], order_number=number)
    assert any("Sent supporting documents for review" in line for line in view.history)

    # The physician upholds the denial; past day 10 the documents go to another physician as an appeal.
    review.deny_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code=view.lines[0].criteria[0][0],
        text="The notes do not show six weeks of care.",
    )
    day_11 = datetime.combine(denied_on + timedelta(days=11), datetime.min.time(), UTC) + timedelta(hours=12)
    with clock.frozen_at(day_11):
        store_document(demo, actor=p["ordering"], order_number=number, filename="more.pdf", content=PDF)
        kind = send_documents_for_review(demo, actor=p["ordering"], order_number=number)
    appeal = _tasks(demo, number)[-1]
    assert (kind, appeal.kind, appeal.queue) == ("appeal", TaskKind.APPEAL, ReviewQueue.PHYSICIAN)
    assert appeal.excluded_reviewer_id == p["physician"].user_id


def test_documents_are_refused_once_no_further_review_is_open(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[3])
    _denied(demo, p, number)
    review.file_appeal(demo, actor=p["ordering"], order_number=number, information="Appeal.")
    task = _tasks(demo, number)[-1]
    review.claim_task(demo, actor=p["physician2"], task_id=task.id)
    view = review.open_case(demo, actor=p["physician2"], order_number=number)
    review.deny_line(
        demo,
        actor=p["physician2"],
        order_number=number,
        line_number=1,
        version=view.version,
        reason_code="other",
        text="Upheld.",
    )
    with pytest.raises(DocumentRefused, match="appeal has already been decided"):
        store_document(demo, actor=p["ordering"], order_number=number, filename="x.pdf", content=PDF)


def test_a_hospital_mri_goes_to_a_physician_and_a_nurse_cannot_approve_the_hospital_setting(demo):
    p = _people(demo)
    member = member_by_number(demo, MEMBERS[4])
    near = demo.exec(  # the member lives where the plan has an in-network free-standing centre
        select(Facility.postal_code)
        .join(NetworkParticipation, NetworkParticipation.facility_id == Facility.id)
        .where(
            Facility.facility_type == "free_standing",
            NetworkParticipation.plan_id == member.plan_id,
            NetworkParticipation.status == "in_network",
        )
    ).first()
    member.postal_code = near
    demo.add(member)
    demo.commit()
    draft_id = draft_order(demo, p["ordering"], member=MEMBERS[4], details=HOSPITAL_MRI)
    assert _needed(documents_needed_for_draft(demo, actor=p["ordering"], draft_id=draft_id)) == {
        "hospital_setting_reason": ()
    }
    number = submit_order(demo, actor=p["ordering"], order_id=draft_id, today=TODAY).order_number
    [task] = _tasks(demo, number)
    assert task.queue == ReviewQueue.PHYSICIAN and "hospital" in task.reason

    # Even with the task put in the nurse queue, the service refuses a nurse's approval.
    task.queue = ReviewQueue.NURSE
    demo.add(task)
    demo.commit()
    with pytest.raises(ActionRefused, match="not the hospital outpatient setting"):
        review.approve_line(
            demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
        )
    assert _order(demo, number).status == "in_progress"
    task.queue = ReviewQueue.PHYSICIAN
    demo.add(task)
    demo.commit()

    review.offer_peer_to_peer(demo, actor=p["physician"], order_number=number, slots=_slots(0))
    review.deny_line(
        demo,
        actor=p["physician"],
        order_number=number,
        line_number=1,
        version=_version(demo, number),
        reason_code="SOC-1",
        text="A free-standing centre can do this exam; sedation is available there.",
    )
    summary = get_order_summary(demo, actor=p["ordering"], order_number=number)
    assert summary.alternate_sites and all(
        "Free-standing" in s or "office" in s for s in summary.alternate_sites
    )
    assert any("of 100" in s or "no score" in s for s in summary.alternate_sites)
    to_provider, to_member = build_letter_contents(demo, order_id=_order(demo, number).id)
    assert to_provider.alternate_sites == summary.alternate_sites == to_member.alternate_sites


def test_a_nurse_still_approves_an_exam_at_a_free_standing_site(demo):
    p = _people(demo)
    number = _pended(demo, p["ordering"], MEMBERS[5])
    assert _tasks(demo, number)[0].queue == ReviewQueue.NURSE
    review.approve_line(
        demo, actor=p["nurse"], order_number=number, line_number=1, version=_version(demo, number)
    )
    assert get_order_summary(demo, actor=p["ordering"], order_number=number).alternate_sites == ()


def _duplicate_pair(demo, office, member: str, **draft) -> tuple[str, str]:
    first = submit_order(
        demo, actor=office, order_id=draft_order(demo, office, member=member, **draft), today=TODAY
    )
    second_id = draft_order(demo, office, member=member, **draft)
    second = submit_order(demo, actor=office, order_id=second_id, duplicates_acknowledged=True, today=TODAY)
    assert _order(demo, second.order_number).duplicate_of == first.order_number
    return first.order_number, second.order_number


def test_a_duplicate_is_withdrawn_in_each_programs_wording_and_left_out_of_the_percentages(demo):
    p = _people(demo)
    first, second = _duplicate_pair(demo, p["ordering"], MEMBERS[6], details=PENDING_LOW_BACK)
    with pytest.raises(PermissionDenied):
        withdraw_duplicate(demo, actor=p["ordering"], order_number=second, version=_version(demo, second))
    with pytest.raises(ActionRefused, match="not flagged as a duplicate"):
        withdraw_duplicate(
            demo, actor=p["nurse"], order_number=first, version=_version(demo, first), duplicate_of=second
        )
    other_member = _pended(demo, p["ordering"], MEMBERS[8])
    with pytest.raises(ActionRefused, match="earlier order of the same member"):
        withdraw_duplicate(
            demo,
            actor=p["nurse"],
            order_number=second,
            version=_version(demo, second),
            duplicate_of=other_member,
        )
    before = review_metrics(demo, actor=p["nurse"], date_from=TODAY, date_to=clock.today())
    label = withdraw_duplicate(demo, actor=p["nurse"], order_number=second, version=_version(demo, second))
    assert label == "Voluntarily Withdrawn"
    summary = get_order_summary(demo, actor=p["ordering"], order_number=second)
    assert summary.status == "Voluntarily Withdrawn" and summary.duplicate_of == first
    assert any(f"duplicates order {first}" in note for note in summary.notes)
    assert all(t.closed_at is not None for t in _tasks(demo, second))
    after = review_metrics(demo, actor=p["nurse"], date_from=TODAY, date_to=clock.today())
    assert after.totals.withdrawn == before.totals.withdrawn + 1
    assert after.totals.pending == before.totals.pending - 1
    with pytest.raises(ActionRefused, match="no open review"):
        withdraw_duplicate(demo, actor=p["nurse"], order_number=second, version=_version(demo, second))

    fusion = {
        "category": "spine",
        "procedure": "lumbar_fusion",
        "setting": "outpatient",
        "levels": 1,
        "weeks_conservative_care": 0,
        "imaging_findings": ["instability"],
    }
    _, msk_second = _duplicate_pair(
        demo,
        p["ordering"],
        "EVG100000016",
        program="musculoskeletal",
        details=fusion,
        codes=["22612"],
        diagnoses=["M43.16"],
    )
    assert (
        withdraw_duplicate(
            demo, actor=p["nurse"], order_number=msk_second, version=_version(demo, msk_second)
        )
        == "Other Impact"
    )
    assert get_order_summary(demo, actor=p["ordering"], order_number=msk_second).status == "Other Impact"


def test_uploads_before_submit_are_counted_once_per_document(demo):
    p = _people(demo)
    draft_id = draft_order(demo, p["ordering"], member=MEMBERS[7], details=PENDING_LOW_BACK)
    for name in ("a.pdf", "b.pdf"):
        store_document(
            demo,
            actor=p["ordering"],
            draft_id=draft_id,
            filename=name,
            content=PDF,
            needed_document="conservative_care_notes",
        )
    rows = demo.exec(select(Document).where(Document.order_id == draft_id)).all()
    assert [d.needed_document for d in rows] == ["conservative_care_notes"] * 2
    assert _needed(documents_needed_for_draft(demo, actor=p["ordering"], draft_id=draft_id))[
        "conservative_care_notes"
    ] == ("a.pdf", "b.pdf")
    assert demo.get(Order, draft_id).status == "draft"
    assert not demo.exec(select(ReviewTask).where(ReviewTask.order_id == draft_id)).all()


def test_a_musculoskeletal_setting_is_reviewed_against_level_of_care_and_the_approval_names_it(demo):
    p = _people(demo)
    inpatient_fusion = {
        "category": "spine",
        "procedure": "lumbar_fusion",
        "setting": "inpatient",
        "levels": 1,
        "weeks_conservative_care": 0,
        "imaging_findings": ["instability"],
    }
    order_id = draft_order(
        demo,
        p["ordering"],
        member="EVG100000016",
        program="musculoskeletal",
        details=inpatient_fusion,
        codes=["22612"],
        diagnoses=["M43.16"],
    )
    number = submit_order(demo, actor=p["ordering"], order_id=order_id, today=TODAY).order_number
    view = review.open_case(demo, actor=p["nurse"], order_number=number)
    assert view.level_of_care[0] == "Setting requested: inpatient (a hospital stay)."
    assert [line.split(":")[0] for line in view.level_of_care[1:]] == ["LOC-IP-1", "LOC-IP-2", "LOC-IP-3"]
    review.approve_line(demo, actor=p["nurse"], order_number=number, line_number=1, version=view.version)
    [line] = get_order_summary(demo, actor=p["ordering"], order_number=number).lines
    assert line.decision == "Authorized" and line.reason.endswith(
        "Setting approved: inpatient (a hospital stay)."
    )
    imaging = review.open_case(demo, actor=p["nurse"], order_number=_pended(demo, p["ordering"], MEMBERS[9]))
    assert imaging.level_of_care == ()  # imaging reviews no inpatient setting
