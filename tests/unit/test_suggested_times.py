"""The times the pages suggest for a peer-to-peer call come from the clock when the page is shown.

They used to be computed while the page compiled (frozen into the build, then silently dropped by the
server once past); now the states fill them in on load and the pages only read the state."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from portal_app import clock
from portal_app.pages import conversation as conversation_page
from portal_app.pages import review as review_page
from portal_app.state.conversation import suggested_times
from portal_app.state.review import default_slot


def test_suggested_times_follow_the_clock():
    with clock.frozen_at(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) as frozen:
        assert suggested_times() == ["2026-12-05T15:00", "2026-12-06T15:00", "2026-12-07T15:00"]
        assert default_slot(1) == "2026-12-05T15:00"
        frozen.advance(days=30)
        assert suggested_times(1) == ["2027-01-04T15:00"]
        assert default_slot(2) == "2027-01-05T15:00"


def test_no_page_computes_a_time_while_it_compiles():
    for module in (review_page, conversation_page):
        source = inspect.getsource(module)
        assert "default_slot(" not in source and "suggested_times(" not in source and "clock." not in source
