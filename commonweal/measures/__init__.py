"""Outcome measures: instruments as reviewed data files, scoring and change, FHIR export.

The pure core (no Django) that the measures pages, schedules and safety alerts are built on:

- `definitions.load_instrument(code, version=None)` and `definitions.load_licensed_definition(path)`
  return an `InstrumentDefinition` checked against `schema/instrument.schema.json`;
- `scoring.score(definition, answers) -> ScoreResult`, `scoring.change(definition, baseline,
  follow_up) -> tuple[Change, ...]` and `scoring.risk_flags(definition, answers)`;
- `fhir.questionnaire(...)`, `fhir.questionnaire_response(...)` and `fhir.score_observations(...)`
  build FHIR R4B resources (see docs/decisions/0500-measures-fhir-r4b.md).

The Django layer around it (docs/decisions/0502-measures-safety-route-and-final-responses.md): schedules
and reminders, answering by staff, in the person's account or through a one-time link, responses that are
final once submitted (corrections are new versions), trends with their tables, safety alerts that record
every delivery and escalate, and FHIR over the JSON API (`api.py`).
"""
