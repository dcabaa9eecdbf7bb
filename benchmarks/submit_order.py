"""Time the order services end to end on SQLite: every wizard step, then submit.

Usage: .venv/bin/python benchmarks/submit_order.py [COUNT]
Prints the median and p95 in milliseconds for the whole entry and for submit alone.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select

from portal_app.cli import migrate, seed
from portal_app.db import make_engine
from portal_app.domain.enums import Role
from portal_app.models import Facility, Member, PracticeMembership, Provider, User
from portal_app.services import order_entry as entry
from portal_app.services.authz import Actor
from portal_app.services.order_submission import submit_order

TODAY = date(2026, 11, 23)


def _actor(session: Session) -> Actor:
    user = session.exec(select(User).where(User.username == "ordering")).one()
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(user.id, Role(user.role), user.full_name, tuple(practices))


def _enter(session: Session, actor: Actor, member: Member, n: int) -> int:
    service = TODAY + timedelta(days=7 + n % 60)
    order_id, _ = entry.start_draft(
        session, actor=actor, plan_id=member.plan_id, program="imaging", service_date=service, today=TODAY
    )
    entry.choose_member(session, actor=actor, order_id=order_id, member_id=member.id, confirmed=True)
    ordering = session.exec(select(Provider).where(Provider.tax_id == "90-1000001")).first()
    facility = session.exec(select(Facility).where(Facility.facility_type == "free_standing")).first()
    entry.choose_providers(
        session,
        actor=actor,
        order_id=order_id,
        ordering_provider_id=ordering.id,
        servicing_kind="facility",
        servicing_id=facility.id,
        out_of_network_confirmed=True,
        letter_address="1 Demo Way",
        letter_fax="555-0100",
    )
    weeks = 8 if n % 2 else 1
    details = {
        "modality": "mri",
        "body_part": "lumbar_spine",
        "clinical_indication": "low_back_pain",
        "weeks_of_symptoms": weeks,
        "weeks_conservative_care": weeks,
        "site_of_care": "free_standing",
    }
    entry.save_program_details(session, actor=actor, order_id=order_id, details=details, codes=["72148"])
    entry.save_diagnoses(session, actor=actor, order_id=order_id, codes=["M54.50"])
    entry.save_urgency_and_date(
        session,
        actor=actor,
        order_id=order_id,
        urgency="standard",
        urgency_reason="",
        service_date=service,
        today=TODAY,
    )
    return order_id


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{label:<28} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        seed(url, history_size=0, quiet=True)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            actor = _actor(session)
            members = session.exec(
                select(Member).where(Member.member_number.like("EVG%"), Member.eligibility_end.is_(None))
            ).all()
            whole, submit = [], []
            for n in range(count):
                started = time.perf_counter()
                order_id = _enter(session, actor, members[n % len(members)], n)
                before_submit = time.perf_counter()
                result = submit_order(
                    session, actor=actor, order_id=order_id, duplicates_acknowledged=True, today=TODAY
                )
                finished = time.perf_counter()
                assert result.submitted, result
                whole.append((finished - started) * 1000)
                submit.append((finished - before_submit) * 1000)
        engine.dispose()
    _report("entry, all steps + submit", whole)
    _report("submit alone", submit)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
