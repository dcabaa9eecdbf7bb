"""The public prior-authorization transparency page (CMS-0057-F): for each plan, the services that
need prior authorization now, per program and line of business, and a past year's metrics.

No sign-in: everything here is public by rule and holds no PHI (code lists from the programs'
reference data, the same the wizard offers; aggregate counts and times from
``services/metrics.compute_metrics``, the same figures as the review dashboard). Downloads are
rate-limited per client address and the figures of a (plan, year) are computed at most once per
``CACHE_SECONDS`` per process, so repeated downloads cost little.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.domain.programs import PROGRAMS
from portal_app.models import HealthPlan, PlanLineOfBusiness, PlanProgram
from portal_app.services import metrics as metrics_service
from portal_app.services import rate_limits
from portal_app.services.code_lists import code_index_in_force

CACHE_SECONDS = 600
DOWNLOAD_LIMIT = "transparency_client"


@dataclass(frozen=True)
class PublicService:
    code: str
    label: str
    category: str
    notification_only: bool


@dataclass(frozen=True)
class PublicProgram:
    program: str
    label: str
    delegated_from: str
    delegated_until: str
    lines_of_business: tuple[str, ...]
    services: tuple[PublicService, ...]


@dataclass(frozen=True)
class PublicMetricsRow:
    """One line of the public metrics table: all requests, expedited or standard."""

    requests: str  # "All requests", "Expedited (urgent)", "Standard"
    decided: int
    percent_approved: float | None
    percent_denied: float | None
    percent_approved_after_appeal: float | None
    percent_approved_after_extension: float | None
    mean_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class PublicPlanReport:
    plan_id: int
    plan_name: str
    year: int  # of the metrics; the managed services are those in force on ``as_of``
    as_of: str
    programs: tuple[PublicProgram, ...]
    metrics: tuple[PublicMetricsRow, ...]
    definitions: tuple[tuple[str, str], ...]


def public_plans(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every plan, by name."""
    rows = session.exec(select(HealthPlan.id, HealthPlan.name).order_by(col(HealthPlan.name))).all()
    return [(int(plan_id), name) for plan_id, name in rows if plan_id is not None]


def managed_services(session: Session, plan: HealthPlan, on: date) -> tuple[PublicProgram, ...]:
    """The programs the plan delegates ``on`` that day (one entry per delegation: for all the plan's
    lines of business, or one) and the codes each manages then (the code list in force, as the
    wizard reads it)."""
    lines = session.exec(
        select(PlanLineOfBusiness.line_of_business).where(PlanLineOfBusiness.plan_id == plan.id)
    ).all()
    labels = tuple(sorted(LineOfBusiness(value).label for value in lines))
    delegated = session.exec(
        select(PlanProgram).where(PlanProgram.plan_id == plan.id).order_by(col(PlanProgram.delegated_from))
    ).all()
    programs = []
    for row in delegated:
        if row.delegated_from > on or (row.delegated_until is not None and row.delegated_until < on):
            continue
        if Program(row.program) not in PROGRAMS:
            continue
        index = code_index_in_force(
            session, plan=plan, program=Program(row.program), line_of_business=row.line_of_business, on=on
        )
        codes = sorted(index.values(), key=lambda item: item.code)
        programs.append(
            PublicProgram(
                program=str(row.program),
                label=Program(row.program).label,
                delegated_from=row.delegated_from.isoformat(),
                delegated_until=row.delegated_until.isoformat() if row.delegated_until else "",
                lines_of_business=(LineOfBusiness(row.line_of_business).label,)
                if row.line_of_business
                else labels,
                services=tuple(
                    PublicService(c.code, c.label, c.category, c.notification_only) for c in codes
                ),
            )
        )
    return tuple(sorted(programs, key=lambda p: p.label))


_cache: dict[tuple[str, int, int], tuple[datetime, PublicPlanReport]] = {}
_cache_lock = threading.Lock()


def _cache_key(session: Session, plan_id: int, year: int) -> tuple[str, int, int]:
    return session.get_bind().engine.url.render_as_string(hide_password=True), plan_id, year


def plan_report(session: Session, *, plan_id: int, year: int) -> PublicPlanReport | None:
    """The plan's public report for ``year`` (None for an unknown plan or a year not yet begun)."""
    plan = session.get(HealthPlan, plan_id)
    now = clock.now()
    if plan is None or not 2000 <= year <= now.year:
        return None
    key = _cache_key(session, plan_id, year)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and (now - cached[0]).total_seconds() < CACHE_SECONDS:
        return cached[1]
    figures = metrics_service.compute_metrics(
        session, date_from=date(year, 1, 1), date_to=date(year, 12, 31), plan_id=plan_id, as_of=now
    )

    def row(label: str, f) -> PublicMetricsRow:
        return PublicMetricsRow(
            requests=label,
            decided=f.decided,
            percent_approved=f.percent_approved,
            percent_denied=f.percent_denied,
            percent_approved_after_appeal=f.percent_approved_after_appeal,
            percent_approved_after_extension=f.percent_approved_after_extension,
            mean_hours=f.mean_hours,
            median_hours=f.median_hours,
        )

    report = PublicPlanReport(
        plan_id=plan_id,
        plan_name=plan.name,
        year=year,
        as_of=now.strftime("%Y-%m-%d %H:%M UTC"),
        programs=managed_services(session, plan, now.date()),
        metrics=(row(figures.urgent.label, figures.urgent), row(figures.standard.label, figures.standard)),
        definitions=tuple(
            (term, text) for term, text in figures.definitions if term not in ("Past due", "Pending")
        ),
    )
    with _cache_lock:
        _cache[key] = (now, report)
    return report


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def report_csv(report: PublicPlanReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Prior authorization metrics", report.plan_name, str(report.year), f"as of {report.as_of}"]
    )
    writer.writerow([])
    writer.writerow(
        [
            "Requests",
            "Decided",
            "Percent approved",
            "Percent denied",
            "Percent approved after appeal",
            "Percent approved after an extended review time frame",
            "Average hours to decision",
            "Median hours to decision",
        ]
    )
    for r in report.metrics:
        writer.writerow(
            [
                r.requests,
                r.decided,
                _number(r.percent_approved),
                _number(r.percent_denied),
                _number(r.percent_approved_after_appeal),
                _number(r.percent_approved_after_extension),
                _number(r.mean_hours),
                _number(r.median_hours),
            ]
        )
    writer.writerow([])
    writer.writerow(["Program", "Lines of business", "Code", "Service", "Category", "Notification only"])
    for program in report.programs:
        for service in program.services:
            writer.writerow(
                [
                    program.label,
                    "; ".join(program.lines_of_business),
                    service.code,
                    service.label,
                    service.category,
                    "yes" if service.notification_only else "no",
                ]
            )
    writer.writerow([])
    writer.writerow(["Term", "Definition"])
    for term, text in report.definitions:
        writer.writerow([term, text])
    return out.getvalue()


def report_json(report: PublicPlanReport) -> str:
    data = asdict(report)
    data["definitions"] = [{"term": t, "definition": d} for t, d in report.definitions]
    return json.dumps(data, indent=2)


def download(session: Session, *, plan_id: int, year: int, kind: str, client_address: str) -> tuple[str, str]:
    """(file name, text) of the plan's report as "csv" or "json". Counted against the per-address
    download limit (RateLimited when spent); ValueError for an unknown plan, year or kind."""
    if kind not in ("csv", "json"):
        raise ValueError("Choose CSV or JSON.")
    rate_limits.hit(session, limits={DOWNLOAD_LIMIT: client_address}, action="transparency.download")
    report = plan_report(session, plan_id=plan_id, year=year)
    if report is None:
        raise ValueError("Choose a plan and a year that has begun.")
    name = f"prior-authorization-metrics-{report.plan_id}-{report.year}.{kind}"
    return name, report_csv(report) if kind == "csv" else report_json(report)
