"""A program's questions as a FHIR Questionnaire (Da Vinci DTR / SDC), generated from the program's
definition, and the adaptive-form step (`$next-question`). Pure.

One source of truth: the questions are the fields of the program's details schema
(``ProgramDefinition.details_schema``, the model the wizard's answers are validated against), in its
order; linkId = the field's path in the schema (``drugs``, ``transport.origin.line1``: unique in the
Questionnaire, FHIR que-2), so the answers map back to the schema the way the PAS API reads them
(``services/pas/programs.details_from_answers``). The question texts are the wizard's labels
(``reference/dtr_question_text.csv``, extracted from the rendered wizard steps and proved equal to
them by ``tests/unit/test_dtr_questionnaire.py``); choices are the schema's allowed values with the
program's own labels; branching (``enableWhen``) is ``reference/dtr_branches.csv``. A program added
to ``domain.programs.PROGRAMS`` gets its questionnaire with no code here.

Pre-population uses FHIRPath ``initialExpression`` against the DTR launch context (%patient,
%coverage, %order) instead of CQL libraries (no full CQL-to-ELM translator is installable here: see
``docs/dtr.md``, "CQL-to-ELM: what was checked"); the payer fills those answers itself in the
initial QuestionnaireResponse, with origin ``auto``.
"""

from __future__ import annotations

import enum
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.program_types import ProgramDefinition

SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition"
DTR = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition"
EXT_INITIAL_EXPRESSION = f"{SDC}/sdc-questionnaire-initialExpression"
EXT_LAUNCH_CONTEXT = f"{SDC}/sdc-questionnaire-launchContext"
EXT_INFORMATION_ORIGIN = f"{DTR}/information-origin"
EXT_QUESTIONNAIRE_ADAPTIVE = f"{SDC}/sdc-questionnaire-questionnaireAdaptive"
EXT_QR_CONTEXT = f"{DTR}/qr-context"  # DTR 2.0.1: the Coverage and the order a response is for
PROFILE_STD_QUESTIONNAIRE = f"{DTR}/dtr-std-questionnaire"
PROFILE_ADAPTIVE_QUESTIONNAIRE = f"{DTR}/dtr-questionnaire-adapt"
PROFILE_QR = f"{DTR}/dtr-questionnaireresponse"
PROFILE_PACKAGE_BUNDLE = f"{DTR}/DTR-QPackageBundle"
LAUNCH_CONTEXT_CODES = "http://hl7.org/fhir/uv/sdc/CodeSystem/launchContext"
CONTEXT_GROUP = "precert-context"  # never a details field: the PAS mapping leaves it out
VERSION = "1"  # of every Questionnaire and ValueSet served; references inside a package name it


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    kind: str  # FHIR Questionnaire.item.type: choice, boolean, integer, decimal, date, string, text, group
    required: bool = False
    repeats: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (code, label) for choice questions
    children: tuple[Question, ...] = ()
    enable_when: tuple[tuple[str, str, str], ...] = ()  # (question linkId, operator, answer)


@dataclass(frozen=True)
class ContextQuestion:
    """A question the payer answers from the launch context (FHIRPath on %patient, %coverage, %order)."""

    link_id: str
    text: str
    kind: str
    expression: str
    read: Any = field(repr=False)  # (context resources) -> value(s) or None; the same path in Python
    repeats: bool = False


def _first(items: Any) -> Any:
    return items[0] if isinstance(items, list) and items else {}


ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def _condition_codes(context: Mapping[str, Any]) -> list[str]:
    return [
        str(coding["code"])
        for condition in context.get("conditions", [])
        for coding in condition.get("code", {}).get("coding", [])
        if coding.get("system") == ICD10CM and coding.get("code")
    ]


CONTEXT_QUESTIONS: tuple[ContextQuestion, ...] = (
    ContextQuestion(
        "member_birth_date",
        "Member's date of birth",
        "date",
        "%patient.birthDate",
        lambda c: c.get("patient", {}).get("birthDate"),
    ),
    ContextQuestion(
        "member_id",
        "Member ID on the coverage",
        "string",
        "%coverage.subscriberId",
        lambda c: c.get("coverage", {}).get("subscriberId"),
    ),
    ContextQuestion(
        "requested_code",
        "Code of the service ordered",
        "string",
        "%order.code.coding.first().code",
        lambda c: _first(c.get("order", {}).get("code", {}).get("coding")).get("code"),
    ),
    ContextQuestion(
        "order_reason",
        "Reason for the order (diagnosis code)",
        "string",
        "%order.reasonCode.coding.first().code",
        lambda c: _first(_first(c.get("order", {}).get("reasonCode")).get("coding")).get("code"),
    ),
    ContextQuestion(
        "member_diagnoses",
        "Member's active diagnoses (ICD-10-CM)",
        "string",
        f"%conditions.entry.resource.code.coding.where(system='{ICD10CM}').code",
        _condition_codes,
        repeats=True,
    ),
)
LAUNCH_CONTEXT = (("patient", "Patient"), ("coverage", "Coverage"), ("order", "ServiceRequest"))
# The member's Conditions, fetched by the DTR client from the EHR (SDC x-fhir-query variable).
CONDITIONS_VARIABLE = {
    "url": "http://hl7.org/fhir/StructureDefinition/variable",
    "valueExpression": {
        "name": "conditions",
        "language": "application/x-fhir-query",
        "expression": "Condition?patient={{%patient.id}}&clinical-status=active",
    },
}


# --- the questions of a program ---------------------------------------------------------------


def _texts() -> dict[tuple[str, str], str]:
    """The wizard's labels, then the texts of the items the wizard shows no control for."""
    return {
        (row.program, row.link_id): row.text
        for name in ("dtr_question_text_unrendered.csv", "dtr_question_text.csv")
        for row in reference.table(name).itertuples()
    }


def _branches() -> dict[tuple[str, str], tuple[tuple[str, str, str], ...]]:
    found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for row in reference.table("dtr_branches.csv").itertuples():
        found.setdefault((row.program, row.link_id), []).append((row.question, row.operator, row.answer))
    return {key: tuple(value) for key, value in found.items()}


def questions(definition: ProgramDefinition) -> tuple[Question, ...]:
    """The program's questions, one per field of its details schema (dict-shaped fields left out)."""
    texts, branches = _texts(), _branches()
    return _model_questions(definition.code.value, definition.details_schema, "", texts, branches)


def _model_questions(
    program: str, model: type[BaseModel], prefix: str, texts, branches
) -> tuple[Question, ...]:
    found = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        question = _question(program, model, name, info.annotation, path, texts, branches)
        if question is not None:
            found.append(_with_requirement(question, info.is_required()))
    shown = reference.table("dtr_question_text.csv").itertuples()  # in the wizard's order
    return _in_wizard_order(found, [row.link_id for row in shown if row.program == program])


def _in_wizard_order(found: list[Question], wizard_paths: list[str]) -> tuple[Question, ...]:
    """The questions the wizard labels (a group: by its first labelled question) take the wizard's
    order (the texts file lists them as the wizard shows them); the others keep their schema place."""

    def rank(question: Question) -> int | None:
        path = question.link_id
        ranks = [n for n, shown in enumerate(wizard_paths) if shown == path or shown.startswith(f"{path}.")]
        return min(ranks) if ranks else None

    ranked = {q.link_id: rank(q) for q in found}
    queue = iter(
        sorted((q for q in found if ranked[q.link_id] is not None), key=lambda q: ranked[q.link_id] or 0)
    )
    return tuple(next(queue) if ranked[q.link_id] is not None else q for q in found)


def _with_requirement(question: Question, required: bool) -> Question:
    return Question(**{**question.__dict__, "required": required})


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The inner type and whether it repeats (``X | None`` -> X; ``list[X]`` -> X, repeats)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner[0]) if len(inner) == 1 else (str, False)
    if origin is list:
        (inner,) = typing.get_args(annotation) or (str,)
        return _unwrap(inner)[0], True
    return annotation, False


SIMPLE_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "decimal"),
    (date, "date"),
    (str, "string"),
)


def _question(program, model, name, annotation, path, texts, branches) -> Question | None:
    inner, repeats = _unwrap(annotation)
    text = texts.get((program, path)) or name.replace("_", " ").capitalize()
    enable_when = branches.get((program, path), ())
    common = {"link_id": path, "text": text, "repeats": repeats, "enable_when": enable_when}
    if typing.get_origin(inner) is typing.Literal or (
        isinstance(inner, type) and issubclass(inner, enum.Enum)
    ):
        return Question(kind="choice", options=_options(model, name, inner), **common)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        children = _model_questions(program, inner, f"{path}.", texts, branches)
        return Question(kind="group", children=children, **common)
    if typing.get_origin(inner) is dict or inner is dict:
        return None  # free key/value answers have no Questionnaire shape; the wizard sets them itself
    kind = next((kind for simple, kind in SIMPLE_KINDS if inner is simple), "string")
    if kind == "string" and name.endswith(("notes", "note", "rationale")):
        kind = "text"
    return Question(kind=kind, **common)


def _options(model: type[BaseModel], name: str, inner: Any) -> tuple[tuple[str, str], ...]:
    """The allowed values with the program's labels: the module's label table whose keys are exactly
    those values (``CANCER_TYPE_LABELS``...), else the value in words."""
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        codes = tuple(str(member.value) for member in inner)
    else:
        codes = tuple(str(value) for value in typing.get_args(inner))
    codes = tuple(code for code in codes if code)  # "" is the wizard's "not stated": no answer
    labels = _label_table(sys.modules[model.__module__], name, codes)
    return tuple((code, labels.get(code) or code.replace("_", " ").capitalize()) for code in codes)


def _label_table(module: types.ModuleType, name: str, codes: tuple[str, ...]) -> Mapping[str, str]:
    tables = [
        value
        for value in vars(module).values()
        if isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) for k in value)
        and set(codes) <= set(value)
    ]
    named = [t for t in tables if t is vars(module).get(f"{name.upper()}_LABELS")]
    candidates = named or sorted(tables, key=len)
    return next((t for t in candidates if all(isinstance(v, str) for v in t.values())), {})


def branching(definition: ProgramDefinition) -> bool:
    """True when some question of the program is asked only for some answers (an adaptive form fits)."""
    return any(_flatten(questions(definition), lambda q: bool(q.enable_when)))


def _flatten(found: tuple[Question, ...], keep) -> list[Question]:
    result = []
    for question in found:
        if keep(question):
            result.append(question)
        result += _flatten(question.children, keep)
    return result


# --- FHIR shapes ------------------------------------------------------------------------------


def resource_id(program: Program) -> str:
    """The Questionnaire's id (FHIR ids allow no underscore: medical-oncology); its URL keeps the code."""
    return program.value.replace("_", "-")


def canonical(base_url: str, program: Program) -> str:
    """The Questionnaire's canonical URL, as CRD cards and PAS QuestionnaireResponses name it."""
    return f"{base_url}/Questionnaire/{program.value}"


def versioned(canonical_url: str) -> str:
    """A version-specific reference (DTR: every reference within a package names the version)."""
    return f"{canonical_url}|{VERSION}"


def value_set_url(base_url: str, program: Program, link_id: str) -> str:
    return f"{base_url}/ValueSet/{program.value}-{link_id.replace('_', '-')}"


def code_system_url(base_url: str, program: Program) -> str:
    return f"{base_url}/CodeSystem/{program.value}-answers"


def questionnaire(definition: ProgramDefinition, base_url: str, *, adaptive: bool = False) -> dict[str, Any]:
    """The program's Questionnaire (DTR standard form; the adaptive one starts with no items)."""
    program = definition.code
    items = [] if adaptive else [_item(q, base_url, program) for q in questions(definition)]
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id(program),
        "meta": {"profile": [PROFILE_ADAPTIVE_QUESTIONNAIRE if adaptive else PROFILE_STD_QUESTIONNAIRE]},
        "extension": [
            {
                "url": EXT_LAUNCH_CONTEXT,
                "extension": [
                    {"url": "name", "valueCoding": {"system": LAUNCH_CONTEXT_CODES, "code": name}},
                    {"url": "type", "valueCode": kind},
                ],
            }
            for name, kind in LAUNCH_CONTEXT
        ]
        + [CONDITIONS_VARIABLE],
        "url": canonical(base_url, program),
        "version": VERSION,
        "name": "".join(part.capitalize() for part in program.value.split("_")) + "PriorAuthorization",
        "title": f"{definition.label}: prior authorization questions",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items if adaptive else [_context_group(), *items],
    }
    if adaptive:
        resource["extension"].append({"url": EXT_QUESTIONNAIRE_ADAPTIVE, "valueBoolean": True})
    return resource


def _context_group() -> dict[str, Any]:
    return {
        "linkId": CONTEXT_GROUP,
        "text": "From the order and the coverage",
        "type": "group",
        "item": [
            {
                "extension": [
                    {
                        "url": EXT_INITIAL_EXPRESSION,
                        "valueExpression": {"language": "text/fhirpath", "expression": c.expression},
                    }
                ],
                "linkId": c.link_id,
                "text": c.text,
                "type": c.kind,
                **({"repeats": True} if c.repeats else {}),
            }
            for c in CONTEXT_QUESTIONS
        ],
    }


def _item(question: Question, base_url: str, program: Program) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.link_id, "text": question.text, "type": question.kind}
    if question.required:
        item["required"] = True
    if question.repeats:
        item["repeats"] = True
    if question.enable_when:
        item["enableWhen"] = [
            _enable_when(link, operator, answer) for link, operator, answer in question.enable_when
        ]
        if len(question.enable_when) > 1:
            item["enableBehavior"] = "any"
    if question.kind == "choice":
        item["answerValueSet"] = versioned(value_set_url(base_url, program, question.link_id))
    if question.children:
        item["item"] = [_item(child, base_url, program) for child in question.children]
    return item


def _enable_when(link: str, operator: str, answer: str) -> dict[str, Any]:
    if answer in ("true", "false"):
        return {"question": link, "operator": operator, "answerBoolean": answer == "true"}
    return {"question": link, "operator": operator, "answerCoding": {"code": answer}}


def value_sets(definition: ProgramDefinition, base_url: str, on: date) -> list[dict[str, Any]]:
    """One expanded ValueSet per choice question (expansion dated ``on``)."""
    program = definition.code
    system = code_system_url(base_url, program)
    return [
        {
            "resourceType": "ValueSet",
            "id": resource_id(program) + "-" + q.link_id.replace("_", "-"),
            "url": value_set_url(base_url, program, q.link_id),
            "version": VERSION,
            "name": "".join(
                part.capitalize() for part in f"{program.value}_{q.link_id}".replace(".", "_").split("_")
            ),
            "status": "active",
            "compose": {
                "include": [{"system": system, "concept": [{"code": c, "display": d} for c, d in q.options]}]
            },
            "expansion": {
                "timestamp": on.isoformat(),
                "total": len(q.options),
                "contains": [{"system": system, "code": c, "display": d} for c, d in q.options],
            },
        }
        for q in _flatten(questions(definition), lambda q: q.kind == "choice")
    ]


def initial_response(
    definition: ProgramDefinition, base_url: str, context: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The QuestionnaireResponse the payer starts: the launch-context answers it could fill, each
    with information origin ``auto``; the program's own questions are left for the provider."""
    answered = []
    for question in CONTEXT_QUESTIONS:
        value = question.read(context)
        values = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if not values:
            continue
        answered.append(
            {
                "linkId": question.link_id,
                "text": question.text,
                # the guide's origin extension sits on each answer the payer filled
                "answer": [
                    {f"value{question.kind.capitalize()}": v, "extension": [_origin("auto")]} for v in values
                ],
            }
        )
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "meta": {"profile": [PROFILE_QR]},
        "extension": [
            {"url": EXT_QR_CONTEXT, "valueReference": reference}
            for reference in (_reference(context.get("coverage")), _reference(context.get("order")))
            if reference
        ],
        "questionnaire": versioned(canonical(base_url, definition.code)),
        "status": "in-progress",
        "item": [{"linkId": CONTEXT_GROUP, "text": "From the order and the coverage", "item": answered}]
        if answered
        else [],
    }
    subject = _subject(context)
    if subject:
        response["subject"] = subject
    if not response["extension"]:
        del response["extension"]
    return response


def _reference(resource: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A Reference to a resource of the package input: by id, else by its first identifier."""
    kind = (resource or {}).get("resourceType")
    if not resource or not kind:
        return None
    if resource.get("id"):
        return {"reference": f"{kind}/{resource['id']}", "type": kind}
    identifiers = [i for i in resource.get("identifier", []) if isinstance(i, dict) and i.get("value")]
    return {"type": kind, "identifier": identifiers[0]} if identifiers else None


def _subject(context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The patient: the launch Patient, else the Coverage's beneficiary, else the order's subject."""
    patient = context.get("patient") or {}
    if patient.get("id"):
        return {"reference": f"Patient/{patient['id']}"}
    for source, key in (("coverage", "beneficiary"), ("order", "subject")):
        found = (context.get(source) or {}).get(key)
        if isinstance(found, dict) and (found.get("reference") or found.get("identifier")):
            return dict(found)
    return None


def _origin(source: str) -> dict[str, Any]:
    return {
        "url": EXT_INFORMATION_ORIGIN,
        "extension": [
            {"url": "source", "valueCode": source},
        ],
    }


# --- adaptive form: the next question ---------------------------------------------------------


def enabled(question: Question, answers: Mapping[str, Any]) -> bool:
    """SDC enableWhen (behaviour ``any`` when several conditions): shown for these answers?"""
    if not question.enable_when:
        return True
    return any(_holds(answers.get(link), operator, answer) for link, operator, answer in question.enable_when)


def _holds(given: Any, operator: str, answer: str) -> bool:
    values = given if isinstance(given, list) else [given]
    texts = {str(v).lower() if isinstance(v, bool) else str(v) for v in values if v is not None}
    if operator == "exists":
        return bool(texts) == (answer == "true")
    if operator == "!=":
        return answer not in texts
    return answer in texts


def next_question(definition: ProgramDefinition, answers: Mapping[str, Any]) -> Question | None:
    """The first question, in the wizard's order, that these answers enable and leave unanswered;
    None when the form is complete."""
    for question in questions(definition):
        if question.link_id not in answers and enabled(question, answers):
            return question
    return None


def item_json(question: Question, base_url: str, program: Program) -> dict[str, Any]:
    return _item(question, base_url, program)
