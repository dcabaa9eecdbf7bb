"""Time the rules engine on 10,000 mixed imaging requests.

Usage: .venv/bin/python benchmarks/rules_engine.py [COUNT]
Prints determinations per second (engine only, details already validated), the same with
details validation included, and the mix of line outcomes. The requests are generated from a
fixed seed: lumbar MRI, brain MRI, cardiac imaging, cancer CT/PET and unmanaged or
notification-only codes, over the demo plans EVG, LKS, RVB and SUM for 2026 and 2027.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal_app.domain.enums import Program
from portal_app.domain.programs import ProgramRequest, get_program
from portal_app.domain.rules import evaluate
from portal_app.programs.imaging.domain import ImagingDetails

# (codes, details) templates of typical requests.
SCENARIOS = [
    (("72148",), {"modality": "mri", "body_part": "lumbar_spine", "clinical_indication": "low_back_pain"}),
    (("72158",), {"modality": "mri", "body_part": "lumbar_spine", "clinical_indication": "low_back_pain"}),
    (("70553",), {"modality": "mri", "body_part": "brain", "clinical_indication": "headache"}),
    (("70450",), {"modality": "ct", "body_part": "brain", "clinical_indication": "headache"}),
    (("78452",), {"modality": "mpi", "body_part": "heart", "clinical_indication": "chest_pain"}),
    (("93350",), {"modality": "stress_echo", "body_part": "heart", "clinical_indication": "chest_pain"}),
    (("75574",), {"modality": "cardiac_ct", "body_part": "heart", "clinical_indication": "chest_pain"}),
    (
        ("78815",),
        {"modality": "pet", "body_part": "skull_base_to_mid_thigh", "clinical_indication": "known_cancer"},
    ),
    (("71260", "74177"), {"modality": "ct", "body_part": "chest", "clinical_indication": "known_cancer"}),
    (("93306", "93312"), {"modality": "tte", "body_part": "heart", "clinical_indication": "other"}),
    (
        ("73721", "99999"),
        {
            "modality": "mri",
            "body_part": "lower_extremity_joint",
            "laterality": "left",
            "clinical_indication": "joint_pain",
        },
    ),
]


def make_inputs(count: int, seed: int = 2026) -> list[tuple[dict, dict]]:
    rng = random.Random(seed)
    inputs = []
    for _ in range(count):
        codes, base = rng.choice(SCENARIOS)
        age = rng.choice([12, 25, 34, 45, 55, 63, 71, 84])
        symptoms = rng.choice([None, 2, 6, 10])
        data = dict(base)
        data.update(
            weeks_of_symptoms=symptoms,
            weeks_conservative_care=None if symptoms is None else rng.choice([0, min(6, symptoms)]),
            red_flags=rng.sample(
                ["neurologic_deficit", "history_of_cancer", "new_or_worsening_pattern"], rng.choice([0, 0, 1])
            ),
            cardiac={
                "chest_pain_type": rng.choice(["typical", "atypical", "non_anginal", "dyspnea_only"]),
                "risk_factors": rng.sample(["diabetes", "smoking", "hypertension"], rng.choice([0, 1, 2])),
                "prior_tests": [],
            },
            site_of_care=rng.choice(["free_standing", "physician_office", "hospital_outpatient"]),
            hospital_reason="Needs anesthesia available only at the hospital.",
        )
        request = dict(
            plan_code=rng.choice(["EVG", "LKS", "RVB", "SUM"]),
            service_date=date(rng.choice([2026, 2027]), rng.randint(1, 12), rng.randint(1, 28)),
            member_age=age,
            codes=codes,
            member_sex=rng.choice(["F", "M", "M", "F", "U"]),
            duplicate_of=rng.choice([""] * 19 + ["PC20260000017"]),
        )
        inputs.append((request, data))
    return inputs


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    program = get_program(Program.IMAGING)
    inputs = make_inputs(count)

    # Warm the reference-data caches once (CSV loading is not what we measure).
    program.managed_codes("EVG", 2026)

    started = time.perf_counter()
    requests = [
        ProgramRequest(
            details=ImagingDetails.model_validate(data, context={"member_age": request["member_age"]}),
            **request,
        )
        for request, data in inputs
    ]
    validated = time.perf_counter()
    determinations = [evaluate(program, request) for request in requests]
    finished = time.perf_counter()

    outcomes = Counter(line.outcome.value for result in determinations for line in result.lines)
    engine = finished - validated
    total = finished - started
    print(f"requests            {count:>10,}")
    print(f"engine only         {count / engine:>10,.0f} determinations/s  ({engine * 1000:.1f} ms)")
    print(f"with validation     {count / total:>10,.0f} determinations/s  ({total * 1000:.1f} ms)")
    mix = ", ".join(f"{name} {number:,}" for name, number in sorted(outcomes.items()))
    print(f"line outcomes       {mix}")


if __name__ == "__main__":
    main()
