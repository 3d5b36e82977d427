"""EHR hand-off (Qt-free): patient context in (FHIR R4 JSON or HL7 v2 ADT), chart documents
out (FHIR DocumentReference + Communication, HL7 v2 MDM^T02). See docs/ehr.md.

Nothing here logs or echoes a patient value: errors name the field or segment, never what
it held.
"""
