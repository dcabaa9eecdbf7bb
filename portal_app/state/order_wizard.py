"""The order wizard: plan and program, member, providers, the program's step, diagnosis,
urgency and date, review and submit. The draft is saved by the service at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from portal_app import clock, routes
from portal_app.domain.enums import Program, Role, Urgency
from portal_app.domain.programs import get_program
from portal_app.reference.icd10 import search_diagnoses_page
from portal_app.services import order_entry as entry
from portal_app.services.directory import plan_code
from portal_app.services.order_entry import DraftNotFound, MemberMatch, ProviderMatch
from portal_app.services.order_submission import duplicates_of, submit_order
from portal_app.services.rate_limits import RateLimited
from portal_app.settings import get_settings
from portal_app.state.auth import authorized, call_public, call_service
from portal_app.state.focus import focus_first_error
from portal_app.state.navigation import page_params
from portal_app.state.program_step import DiagnosisChange, ProgramStep, StepContext, step_state_for
from portal_app.state.validation import as_int

STEPS = [
    "Plan and program",
    "Member",
    "Providers",
    "Request details",
    "Diagnosis",
    "Urgency and date",
    "Review and submit",
]
PROGRAM_STEP, REVIEW_STEP = 3, 6
ERROR_KEYS = (
    "plan",
    "program",
    "service_date",
    "member",
    "ordering",
    "servicing",
    "letters",
    "details",
    "codes",
    "diagnoses",
    "urgency",
    "urgency_reason",
    "form",
)
STAFF = Role.ORDERING_PROVIDER_STAFF
DIAGNOSIS_PAGE_SIZE = 15


# A select's value and label (UI only).
@dataclass
class Option:
    value: str
    label: str


# Reused as is: the service's order_entry.MemberMatch holds just what the page shows.
MemberRow = MemberMatch


# Reused as is: the service's order_entry.ProviderMatch holds just what the page shows.
PartyRow = ProviderMatch


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(ERROR_KEYS, "")


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _next_page(page: int, step: object) -> int:
    """One page on (``step`` > 0) or back, never before the first: the client names a direction only."""
    return max(0, page + (1 if as_int(step) > 0 else -1))


def _today() -> date:
    return clock.today()


class OrderWizardState(rx.State):
    order_id: int = 0
    step: int = 0
    errors: dict[str, str] = _no_errors()
    working: bool = False
    # step 1
    plan_options: list[Option] = []
    program_options: list[Option] = []
    plan_id: str = ""
    program: str = ""
    service_date: str = ""
    # step 2
    member_number: str = ""
    last_name: str = ""
    birth_date: str = ""
    members: list[MemberRow] = []
    searched_members: bool = False
    member_page: int = 0  # the member search comes in pages (services/order_entry.search_members)
    member_more: bool = False  # the page shown was full: a later one may hold more
    member: MemberRow = MemberRow(0, "", "", "", "", "", "")
    member_age: int = 0
    member_confirmed: bool = False
    # step 3
    ordering_options: list[Option] = []
    ordering_provider_id: str = ""
    servicing_query: str = ""
    servicing_results: list[PartyRow] = []
    searched_servicing: bool = False  # a search ran: with no result the page shows the support contact
    servicing_page: int = 0  # the servicing search comes in pages (services/order_entry.search_servicing)
    servicing_more: bool = False  # the page shown was full: a later one may hold more
    support_contact: str = ""  # read from the settings at run time, never while compiling
    searching: str = ""  # which search is running: "members", "servicing" or "diagnoses"
    servicing: PartyRow = PartyRow("", 0, "", "", "", "", True, "", "")
    out_of_network_confirmed: bool = False
    letter_address: str = ""
    letter_fax: str = ""
    letters_confirmed: bool = False
    # step 5
    diagnosis_query: str = ""
    diagnosis_results: list[Option] = []
    diagnosis_page: int = 0
    diagnosis_more: bool = False
    diagnoses: list[Option] = []
    # step 6
    urgency: str = Urgency.STANDARD.value
    urgency_reason: str = ""
    # step 7
    duplicates: list[Option] = []
    duplicates_acknowledged: bool = False
    submit_problems: list[str] = []
    # Said when the plan's routing moved the draft to another program (e.g. an echo to cardiology).
    routed_note: str = ""
    # The ordering providers offered, by id, for prefilling the letter address.
    _ordering: dict = {}
    _refused: bool = False  # the step's answers were refused (the program does not review them)

    # --- loading ---

    @rx.event
    @authorized(STAFF)
    async def load_page(self):
        """Open the wizard: resume the draft named in the URL, or start fresh."""
        draft_id = as_int(page_params(self).get("draft", ""))
        plans = await call_service(entry.plans_for)
        try:
            snapshot = await call_service(entry.get_draft, order_id=draft_id) if draft_id else None
        except DraftNotFound:
            snapshot = None
        self._reset_all()
        self.plan_options = [Option(str(p.plan_id), p.name) for p in plans]
        self.support_contact = get_settings().support_contact
        if snapshot is not None:
            await self._restore(snapshot)

    def _reset_all(self) -> None:
        for name, value in {
            "order_id": 0,
            "step": 0,
            "errors": _no_errors(),
            "plan_id": "",
            "program": "",
            "service_date": "",
            "program_options": [],
            "member_number": "",
            "last_name": "",
            "birth_date": "",
            "members": [],
            "searched_members": False,
            "member_page": 0,
            "member_more": False,
            "member": MemberRow(0, "", "", "", "", "", ""),
            "member_age": 0,
            "member_confirmed": False,
            "ordering_options": [],
            "ordering_provider_id": "",
            "servicing_query": "",
            "servicing_results": [],
            "searched_servicing": False,
            "servicing_page": 0,
            "servicing_more": False,
            "servicing": PartyRow("", 0, "", "", "", "", True, "", ""),
            "out_of_network_confirmed": False,
            "letter_address": "",
            "letter_fax": "",
            "letters_confirmed": False,
            "diagnosis_query": "",
            "diagnosis_results": [],
            "diagnosis_page": 0,
            "diagnosis_more": False,
            "diagnoses": [],
            "urgency": Urgency.STANDARD.value,
            "urgency_reason": "",
            "duplicates": [],
            "duplicates_acknowledged": False,
            "submit_problems": [],
            "routed_note": "",
            "working": False,
        }.items():
            setattr(self, name, value)

    def _recheck_refusal(self, details: dict) -> None:
        """The step's answers changed: a refusal of the earlier answers stays only while it still applies."""
        if not self._refused or self.program not in {p.value for p in Program}:
            return
        stop = get_program(self.program).why_no_request(details) or ""
        self.errors = {**self.errors, "details": stop}
        self._refused = bool(stop)

    async def _program_step(self) -> ProgramStep | None:
        """The chosen program's own step state (from its package, through the program registry), or None."""
        state_class = step_state_for(self.program)
        return await self.get_state(state_class) if state_class is not None else None

    async def _step_context(self) -> StepContext:
        """What the program's step reads from the wizard (state/program_step.py)."""
        plan_id = as_int(self.plan_id)
        return StepContext(
            order_id=self.order_id,
            plan_id=plan_id,
            plan_code=await call_public(plan_code, plan_id=plan_id),
            service_date=_parse_date(self.service_date),
            member_age=self.member_age,
            site_kind=self.servicing.kind,
            site_detail=self.servicing.detail,
            diagnoses=tuple(d.value for d in self.diagnoses),
            codes_in_force=await self._codes_in_force(),
        )

    async def _codes_in_force(self) -> tuple:
        """The codes the draft's program manages for the member's coverage (none before the draft)."""
        return await call_service(entry.codes_in_force, order_id=self.order_id) if self.order_id else ()

    def _take_diagnoses(self, change: DiagnosisChange | None) -> None:
        """Put the diagnoses a program's step asks for first on the list (e.g. the cancer diagnosis)."""
        if change is None:
            return
        first = [Option(code, label) for code, label in change.first]
        dropped = {code for code, _ in change.first} | set(change.withdrawn)
        self.diagnoses = first + [d for d in self.diagnoses if d.value not in dropped]

    async def _restore(self, snapshot: entry.DraftSnapshot) -> None:
        self.order_id, self.plan_id, self.program = snapshot.order_id, str(snapshot.plan_id), snapshot.program
        self.service_date = snapshot.service_date
        await self._refresh_programs()
        if snapshot.member:
            self.member = snapshot.member
            self.member_confirmed, self.member_age = True, snapshot.member_age
        self.ordering_provider_id = str(snapshot.ordering_provider_id or "")
        if snapshot.servicing:
            self.servicing = snapshot.servicing
        self.out_of_network_confirmed = snapshot.out_of_network_confirmed
        self.letter_address, self.letter_fax = snapshot.letter_address, snapshot.letter_fax
        self.letters_confirmed = bool(snapshot.letter_address)
        self.diagnoses = [Option(code, f"{code} {text}") for code, text in snapshot.diagnoses]
        self.urgency, self.urgency_reason = snapshot.urgency, snapshot.urgency_reason
        step = await self._program_step()
        if step is not None:
            await step._restore(snapshot.details, list(snapshot.codes), await self._step_context())
        self.step = min(snapshot.step, REVIEW_STEP)
        if self.step == REVIEW_STEP:
            await self._load_documents()
        if snapshot.member:
            await self._load_ordering_options()

    # --- typed values (allow-listed fields only) ---

    @rx.event
    @authorized(STAFF)
    async def update_field(self, field: str, value: str):
        text_fields = {
            "plan_id",
            "program",
            "service_date",
            "member_number",
            "last_name",
            "birth_date",
            "ordering_provider_id",
            "servicing_query",
            "letter_address",
            "letter_fax",
            "diagnosis_query",
            "urgency",
            "urgency_reason",
        }
        if field not in text_fields or not isinstance(value, str):
            return
        setattr(self, field, value[:2000])
        if field in {"plan_id", "service_date"}:
            await self._refresh_programs()
        if field == "ordering_provider_id":
            self._prefill_letters()

    @rx.var
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label if self.urgency in {u.value for u in Urgency} else ""

    @rx.event
    @authorized(STAFF)
    async def choose_urgency(self, label: str):
        chosen = [u for u in Urgency if u.label == label]
        if chosen:
            self.urgency = chosen[0].value

    @rx.event
    @authorized(STAFF)
    async def toggle(self, field: str, checked: bool):
        if field in {
            "member_confirmed",
            "out_of_network_confirmed",
            "letters_confirmed",
            "duplicates_acknowledged",
        }:
            setattr(self, field, checked is True)

    async def _refresh_programs(self) -> None:
        plan_id, on = as_int(self.plan_id), _parse_date(self.service_date)
        if not plan_id or on is None:
            self.program_options = []
            return
        programs = await call_public(entry.programs_for, plan_id=plan_id, on=on)
        self.program_options = [Option(p.value, p.label) for p in programs]
        if self.program not in {p.value for p in programs}:
            self.program = ""

    # --- navigation ---

    @rx.event
    @authorized(STAFF)
    async def previous_step(self):
        if self.step > 0:
            self.step -= 1
            self.errors = _no_errors()

    @rx.event
    @authorized(STAFF)
    async def next_step(self):
        """Validate and save this step through the service, then move on."""
        if self.working:
            return None
        had_draft = bool(self.order_id)
        self.working = True
        self.routed_note = ""
        try:
            result = await self._save_step()
        except DraftNotFound:
            result = entry.StepResult({"form": "This draft is no longer available. Start a new request."})
        self.working = False
        self.errors = {**_no_errors(), **result.errors}
        if not result.ok:
            return focus_first_error()
        if self.step < REVIEW_STEP:
            self.step += 1
            await self._enter_step()
        if not had_draft and self.order_id:
            # From now on the address names the draft: a reload, a reconnect or another worker resumes it.
            return rx.redirect(f"{routes.ORDER_NEW}?draft={self.order_id}", replace=True)
        return None

    async def _call(self, fn, **kwargs):
        return await call_service(fn, **kwargs)

    async def _save_step(self) -> entry.StepResult:
        if self.step == 0:
            return await self._save_plan_step()
        if self.step == 1:
            return await self._call(
                entry.choose_member,
                order_id=self.order_id,
                member_id=self.member.member_id,
                confirmed=self.member_confirmed,
            )
        if self.step == 2:
            return await self._save_providers_step()
        if self.step == PROGRAM_STEP:
            step = await self._program_step()
            if step is None:
                return entry.StepResult({"details": "This program's questions are not available yet."})
            result = await self._call(
                entry.save_program_details,
                order_id=self.order_id,
                details=step._details_payload(),
                codes=step._chosen_codes(),
            )
            if entry.ROUTED in result.errors:
                await self._follow_routing(result.errors[entry.ROUTED], step._chosen_codes())
                return result
            step._show_errors(result.errors)
            if not result.errors:
                self._take_diagnoses(step._diagnosis_change())
            self._refused = "no_request" in result.errors
            if self._refused:
                return entry.StepResult({"details": result.errors["no_request"]})
            return (
                entry.StepResult({"details": "Please correct the answers marked below."})
                if result.errors
                else result
            )
        if self.step == 4:
            return await self._call(
                entry.save_diagnoses, order_id=self.order_id, codes=[d.value for d in self.diagnoses]
            )
        if self.step == 5:
            return await self._call(
                entry.save_urgency_and_date,
                order_id=self.order_id,
                urgency=self.urgency,
                urgency_reason=self.urgency_reason,
                service_date=_parse_date(self.service_date),
                today=_today(),
            )
        return entry.StepResult()

    async def _follow_routing(self, program: str, codes: list[str]) -> None:
        """The plan routes these codes to another program (services/program_routing.py): the draft moved
        there, so that program's step now asks its questions, with the codes kept."""
        self.program = Program(program).value
        step = await self._program_step()
        if step is not None:
            await step._restore({}, codes, await self._step_context())
        self.routed_note = (
            f"For this plan, {', '.join(codes)} is reviewed by the {Program(program).label.lower()} program. "
            "Answer its questions below; the draft has moved there."
        )

    async def _save_plan_step(self) -> entry.StepResult:
        if self.order_id:
            return entry.StepResult()  # plan and program are fixed once the draft exists
        order_id, result = await self._call(
            entry.start_draft,
            plan_id=as_int(self.plan_id),
            program=self.program,
            service_date=_parse_date(self.service_date),
            today=_today(),
        )
        if order_id:
            self.order_id = order_id
        return result

    async def _save_providers_step(self) -> entry.StepResult:
        if not self.letters_confirmed:
            return entry.StepResult({"letters": "Confirm the office address and fax number for letters."})
        return await self._call(
            entry.choose_providers,
            order_id=self.order_id,
            ordering_provider_id=as_int(self.ordering_provider_id),
            servicing_kind=self.servicing.kind,
            servicing_id=self.servicing.id,
            out_of_network_confirmed=self.out_of_network_confirmed or self.servicing.in_network,
            letter_address=self.letter_address,
            letter_fax=self.letter_fax,
        )

    async def _enter_step(self) -> None:
        if self.step == 2:
            await self._load_ordering_options()
        if self.step == PROGRAM_STEP:
            step = await self._program_step()
            if step is not None:
                await step._prepare(await self._step_context())
        if self.step == REVIEW_STEP:
            await self._check_duplicates()
            await self._load_documents()

    # --- member step ---

    @rx.event
    @authorized(STAFF)
    async def search_members(self):
        self.member_page = 0
        async for update in self._member_search():
            yield update

    @rx.event
    @authorized(STAFF)
    async def member_page_step(self, step: int):
        """The next (``step`` 1) or the previous (-1) page of the member search."""
        self.member_page = _next_page(self.member_page, step)
        async for update in self._member_search():
            yield update

    async def _member_search(self):
        self.searching = "members"
        yield
        try:
            birth = _parse_date(self.birth_date)
            try:
                matches = await self._call(
                    entry.search_members,
                    order_id=self.order_id,
                    member_number=self.member_number,
                    last_name=self.last_name,
                    birth_date=birth,
                    page=self.member_page,
                )
            except (entry.MemberSearchRefused, RateLimited) as refused:
                self.members, self.searched_members, self.member_more = [], False, False
                self.errors = {**_no_errors(), "member": str(refused)}
                return
            self.members = list(matches)
            self.searched_members = True
            self.member_more = len(matches) >= entry.MEMBER_PAGE_SIZE
            self.errors = {
                **_no_errors(),
                "member": ""
                if matches or self.member_page > 0
                else "No member of this plan matches. " + entry.MEMBER_SEARCH_CRITERIA,
            }
        finally:
            self.searching = ""

    @rx.event
    @authorized(STAFF)
    async def pick_member(self, member_id: int):
        chosen = [m for m in self.members if m.member_id == as_int(member_id)]
        if chosen:
            self.member, self.member_confirmed = chosen[0], False
            born = _parse_date(chosen[0].birth_date)
            on = _parse_date(self.service_date) or _today()
            self.member_age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    # --- providers step ---

    async def _load_ordering_options(self) -> None:
        providers = await self._call(entry.ordering_providers, order_id=self.order_id)
        self._ordering = {str(p.id): p for p in providers}
        self.ordering_options = [Option(str(p.id), f"{p.name} — {p.detail} (NPI {p.npi})") for p in providers]
        self._prefill_letters()

    def _prefill_letters(self) -> None:
        chosen = self._ordering.get(self.ordering_provider_id)
        if chosen and not self.letters_confirmed:
            self.letter_address, self.letter_fax = chosen.address, chosen.fax

    @rx.event
    @authorized(STAFF)
    async def search_servicing(self):
        self.servicing_page = 0
        async for update in self._servicing_search():
            yield update

    @rx.event
    @authorized(STAFF)
    async def servicing_page_step(self, step: int):
        """The next (``step`` 1) or the previous (-1) page of the servicing search."""
        self.servicing_page = _next_page(self.servicing_page, step)
        async for update in self._servicing_search():
            yield update

    async def _servicing_search(self):
        self.searching = "servicing"
        yield
        try:
            try:
                found = await self._call(
                    entry.search_servicing,
                    order_id=self.order_id,
                    query=self.servicing_query,
                    page=self.servicing_page,
                )
            except RateLimited as refused:
                self.errors = {**_no_errors(), "servicing": refused.message}
                return
            self.servicing_results, self.searched_servicing = list(found), True
            kinds = [party.kind for party in found]
            self.servicing_more = any(
                kinds.count(kind) >= entry.SERVICING_PAGE_SIZE for kind in ("provider", "facility")
            )
        finally:
            self.searching = ""

    @rx.event
    @authorized(STAFF)
    async def pick_servicing(self, kind: str, party_id: int):
        chosen = [p for p in self.servicing_results if p.kind == kind and p.id == as_int(party_id)]
        if chosen:
            self.servicing, self.out_of_network_confirmed = chosen[0], False

    # --- diagnosis step ---

    @rx.event
    @authorized(STAFF)
    async def search_diagnoses(self):
        self.diagnosis_page = 0
        async for update in self._diagnosis_search():
            yield update

    @rx.event
    @authorized(STAFF)
    async def diagnosis_page_step(self, step: int):
        """The next (``step`` 1) or the previous (-1) page of the ICD-10-CM search."""
        self.diagnosis_page = _next_page(self.diagnosis_page, step)
        async for update in self._diagnosis_search():
            yield update

    async def _diagnosis_search(self):
        self.searching = "diagnoses"
        yield
        try:
            query, page = self.diagnosis_query[:100], self.diagnosis_page
            found, self.diagnosis_more = await rx.run_in_thread(
                lambda: search_diagnoses_page(query, page=page, page_size=DIAGNOSIS_PAGE_SIZE)
            )
            self.diagnosis_results = [Option(d.code, f"{d.code} {d.description}") for d in found]
        finally:
            self.searching = ""

    @rx.event
    @authorized(STAFF)
    async def add_diagnosis(self, code: str):
        chosen = [d for d in self.diagnosis_results if d.value == code]
        if (
            chosen
            and code not in {d.value for d in self.diagnoses}
            and len(self.diagnoses) < entry.MAX_DIAGNOSES
        ):
            self.diagnoses = [*self.diagnoses, chosen[0]]

    @rx.event
    @authorized(STAFF)
    async def remove_diagnosis(self, code: str):
        self.diagnoses = [d for d in self.diagnoses if d.value != code]

    @rx.event
    @authorized(STAFF)
    async def make_primary(self, code: str):
        chosen = [d for d in self.diagnoses if d.value == code]
        self.diagnoses = chosen + [d for d in self.diagnoses if d.value != code]

    # --- review and submit ---

    async def _load_documents(self) -> None:
        """The documents the answers call for, uploaded to the draft before submitting."""
        from portal_app.state.wizard_documents import WizardDocumentsState

        await (await self.get_state(WizardDocumentsState))._load(self.order_id)

    async def _check_duplicates(self) -> None:
        found = await self._call(duplicates_of, order_id=self.order_id)
        self.duplicates = [
            Option(d.order_number, f"{d.order_number} ({d.status}, {d.window})") for d in found
        ]
        self.duplicates_acknowledged = False
        self.submit_problems = []

    @rx.event
    @authorized(STAFF)
    async def submit(self):
        if self.step != REVIEW_STEP or self.working:
            return None
        self.working = True
        try:
            result = await self._call(
                submit_order, order_id=self.order_id, duplicates_acknowledged=self.duplicates_acknowledged
            )
        except DraftNotFound:
            self.working = False
            self.submit_problems = ["This draft is no longer available. Start a new request."]
            return None
        self.working = False
        if result.duplicates:
            self.duplicates = [
                Option(d.order_number, f"{d.order_number} ({d.status}, {d.window})")
                for d in result.duplicates
            ]
            self.submit_problems = [
                "A similar request is on file: read the notice and confirm to submit anyway."
            ]
            return None
        if not result.submitted:
            self.submit_problems = list(result.problems)
            return None
        return rx.redirect(routes.order(result.order_number))


__all__ = ["OrderWizardState", "Program"]
