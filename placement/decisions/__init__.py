"""The decision clock: decisions per adult and per child, renewals, moves, endings,
follow-ups, the night hand-over, reminders and notifications.

Modules: ``service`` (grant, reads, court submission), ``renewals`` (renew, move),
``endings``, ``followups``, ``handovers``, ``rules`` (legal basis, consent, placement rules
and overrides), ``reminders`` + ``sweeps`` (the scheduler's finders), ``notifications``
(inbox fan-out), ``mailer`` (SMTP), ``due`` (the due list), ``inbox``, ``ical`` (feed).

Rules in one place:
- A grant makes one decision for the adult (``sol``) and one per listed child; a child's
  decision needs its own legal basis matching consent (``sol_guardian_consent`` only with
  both guardians' consent; otherwise ``lpsb_court_application`` or ``lpsb_immediate``, the
  latter due at the administrative court ``court_submission_days`` after the decision).
- Length: ``District.decision_days`` or ``settings.default_decision_days``.
- Socialjouren may decide at any hour; each of its decisions creates a hand-over to the
  responsible district, due at the next office-hours start (placement.calendar). An RVT
  officer may decide outside office hours too; the decision is flagged, no hand-over.
- One person never holds two decisions for one moment (service check + DB trigger).
- Reminder keys: ``<kind>:<subject id>:<due time UTC>`` (``hold_expired:<group id>``,
  shared with the inventory sweep); ``INSERT ... ON CONFLICT DO NOTHING`` makes every
  sweep idempotent and safe with several schedulers.
"""
