"""EHR hand-off (Qt-free): patient context in (FHIR R4 JSON or HL7 v2 ADT), chart documents
out (FHIR DocumentReference + Communication, HL7 v2 MDM^T02). See docs/ehr.md.

Nothing here logs or echoes a patient value: errors name the field or segment, never what
it held.
"""

#: --chart-format values (here, not in outbox.py, so that the command line's options do not
#: import the chart writer: a render without --chart-outbox never uses it)
FORMATS = ("fhir", "hl7v2", "both")
