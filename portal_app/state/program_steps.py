"""Which wizard step state asks each program's own questions.

Each step state offers the same private interface to the wizard: ``_prepare`` (on entering the
step), ``_restore`` (a resumed draft), ``_details_payload``, ``_chosen_codes`` and ``_show_errors``.
"""

from __future__ import annotations

from portal_app.domain.enums import Program
from portal_app.state.imaging_step import ImagingStepState
from portal_app.state.med_onc_step import MedOncStepState
from portal_app.state.msk_step import MskStepState
from portal_app.state.outpatient_step import OutpatientStepState
from portal_app.state.rad_onc_step import RadOncStepState
from portal_app.state.rehab_step import RehabStepState
from portal_app.state.sleep_step import SleepStepState

STEP_STATES = {
    Program.IMAGING.value: ImagingStepState,
    Program.MUSCULOSKELETAL.value: MskStepState,
    Program.OUTPATIENT.value: OutpatientStepState,
    Program.MEDICAL_ONCOLOGY.value: MedOncStepState,
    Program.RADIATION_ONCOLOGY.value: RadOncStepState,
    Program.REHABILITATION.value: RehabStepState,
    Program.SLEEP.value: SleepStepState,
}


def step_state_for(program: str):
    return STEP_STATES.get(program)
