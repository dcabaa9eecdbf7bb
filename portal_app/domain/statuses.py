"""The wording of an order's status as a program shows it.

Most programs use the status labels of `OrderStatus`; a program may word some differently
(`ProgramDefinition.status_wording`), e.g. musculoskeletal shows a case withdrawn as a duplicate
as "Other Impact" (program FAQ, shared/seeds/003) where imaging says "Voluntarily Withdrawn"
(shared/seeds/001).
"""

from __future__ import annotations

from portal_app.domain.enums import OrderStatus, Program


def status_label(program: Program | str, status: OrderStatus | str) -> str:
    """The label of ``status`` in ``program``'s wording (the generic label when it has none)."""
    from portal_app.domain.programs import PROGRAMS

    value = OrderStatus(status)
    try:
        definition = PROGRAMS.get(Program(program))
    except ValueError:
        definition = None
    wording = definition.status_wording if definition is not None else {}
    return wording.get(value.value) or value.label


__all__ = ["status_label"]
