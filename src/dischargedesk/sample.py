"""A fictional sample patient, used by ``dischargedesk sample``, the app's demo and checks."""

from __future__ import annotations

import datetime as dt
from typing import Any


def sample_request_data(today: dt.date) -> dict[str, Any]:
    """Request fields for HandoutRequest.from_mapping."""
    return {
        "procedure": "kyphoplasty",
        "levels": "T12,L1",
        "patient_name": "Alex Sample",
        "date_of_birth": "1948-03-04",
        "mrn": "SAMPLE-0001",
        "procedure_date": today.isoformat(),
        "anesthesia": "sedation",
        "opioids": True,
        "medications": "Oxycodone 5 mg: 1 tablet every 6 hours if needed for pain\n"
                       "Docusate 100 mg: 1 capsule twice a day while taking oxycodone",
        "physician": "Dr. Ana Rivera",
        "caregiver": "Sam Sample",
    }
