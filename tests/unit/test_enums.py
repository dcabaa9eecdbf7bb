from portal_app.domain.enums import OrderStatus, Program, Role


def test_every_case_status_of_the_order_summary_exists():
    assert {s.value for s in OrderStatus} == {
        "draft",
        "in_progress",
        "completed",
        "authorized",
        "non_authorized",
        "multiple_decisions",
        "voluntarily_cancelled",
        "not_reviewed_error_entry",
        "voluntarily_withdrawn",
    }


def test_labels_read_as_words():
    assert OrderStatus.NOT_REVIEWED_ERROR_ENTRY.label == "Not Reviewed/Error Entry"
    assert OrderStatus.IN_PROGRESS.label == "In Progress"
    assert Role.NURSE_REVIEWER.label == "Nurse reviewer"
    assert Program.IMAGING.label == "Radiology and cardiology imaging"
