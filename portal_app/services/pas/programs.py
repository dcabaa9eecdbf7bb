"""Which program a PAS request belongs to, and its DTR answers as the program's request details.
Pure: reads only the program catalogue (portal_app.domain.programs).

The program is taken from, in order:

1. the Precert program extension on the Claim or on an item (valueCode: imaging, rehabilitation...),
2. the QuestionnaireResponse's questionnaire, when it is one of Precert's program questionnaires
   (`{PUBLIC_URL}/fhir/Questionnaire/<program>`, the form DTR gave the provider, or the older
   `https://fhir.precert.invalid/Questionnaire/<program>`),
3. the item's category (X12 service type) where it names one program (62 MRI/CAT scan: imaging;
   PT physical therapy: rehabilitation; 78 chemotherapy: medical oncology...; each program's pas.py),
4. the requested codes: the one built program that manages every code for the plan in that year.

The answers map to the program's details schema by linkId = field name, the way the wizard's fields
are named (imaging: modality, body_part, clinical_indication, weeks_of_symptoms, ...). Groups map to
nested models (imaging's `cardiac` pre-exam; a nested item's linkId is its path, `cardiac.prior_tests`,
or the bare field name), repeated groups to lists, and a single answer to a
list field becomes a one-item list. The schema then validates exactly as in the wizard.

How each program's Claim items and answers map is written in its package's ``pas.py``
(``portal_app/programs/<program>/pas.py``), whose ``SERVICE_TYPES`` feed rule 3 above.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel

from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramDefinition
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import PasProblem
from portal_app.services.pas.requests import ClaimRequest


def named_program(request: ClaimRequest) -> Program | None:
    """The program the request names (extension, questionnaire or service type), if it names one."""
    named = request.program or next((item.program for item in request.items if item.program), "")
    if named:
        try:
            return Program(named)
        except ValueError:
            choices = ", ".join(p.value for p in Program)
            raise PasProblem.one(
                400, "value", f"'{named}' is not a Precert program (one of: {choices}).", "Claim.extension"
            ) from None
    for item in request.items:
        if item.category in v.SERVICE_TYPE_PROGRAMS:
            return Program(v.SERVICE_TYPE_PROGRAMS[item.category])
    return None


def resolve_program(request: ClaimRequest, *, plan_code: str, on: date) -> Program:
    """The program the request is for; PasProblem when it cannot be told or is unknown."""
    named = named_program(request)
    if named is not None:
        return named
    codes = [item.code for item in request.items]
    managing = [
        definition.code
        for definition in PROGRAMS.values()
        if codes and all(definition.managed_code(plan_code, on.year, code) is not None for code in codes)
    ]
    if len(managing) == 1:
        return managing[0]
    raise PasProblem.one(
        422,
        "business-rule",
        "Cannot tell which program this request belongs to from its codes. Add the program extension "
        f"({v.EXT_PROGRAM}) to the Claim, or send the program's questionnaire answers.",
        "Claim.item.productOrService",
    )


def built_program(program: Program) -> ProgramDefinition:
    """The program's definition; a clear refusal when Precert does not run that program yet."""
    definition = PROGRAMS.get(program)
    if definition is None:
        raise PasProblem.one(
            422,
            "not-supported",
            f"Requests for the {program.label.lower()} program cannot be taken yet: Precert does not run "
            "this program's rules. Nothing was stored; send the request to the health plan as before.",
            "Claim.item.category",
        )
    return definition


def details_from_answers(schema: type[BaseModel], answers: dict[str, Any], path: str = "") -> dict[str, Any]:
    """The DTR answers shaped for ``schema``; unknown linkIds are left out. A nested question's
    linkId is its path (``transport.origin.line1``, as ``domain/dtr.py`` serves them); the bare field
    name (``line1``) is read too."""
    details = {}
    for name, info in schema.model_fields.items():
        for link in (f"{path}{name}", name):
            if link in answers:
                details[name] = _shape(info.annotation, answers[link], f"{path}{name}.")
                break
    return details


def _shape(annotation: Any, value: Any, path: str = "") -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(inner[0], value, path) if len(inner) == 1 else value
    if origin is list:
        (inner,) = typing.get_args(annotation) or (Any,)
        values = value if isinstance(value, list) else [value]
        return [_shape(inner, item, path) for item in values]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        return details_from_answers(annotation, value, path)
    return value
