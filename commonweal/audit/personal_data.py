"""The vocabulary of the `personal_data` annotations every app puts on its models.

It lives at the bottom layer so every app may use it; `commonweal.privacy` reads the annotations to
write the record of processing (docs/record-of-processing.md), to anonymise what the retention schedule
says is due, and to erase a person's data on request. Lawful bases are those of the UK GDPR.
"""

from __future__ import annotations

PUBLIC_TASK = "Art. 6(1)(e) public task"
CARE = "Art. 6(1)(e) public task; Art. 9(2)(h) health or social care"
CONSENT = "Art. 6(1)(a) consent; Art. 9(2)(a) explicit consent for special categories"
LEGITIMATE_INTERESTS = "Art. 6(1)(f) legitimate interests"
LEGAL_OBLIGATION = "Art. 6(1)(c) legal obligation (Data Security and Protection Toolkit, records management)"
STATISTICS = "Art. 6(1)(e) public task; Art. 9(2)(j) statistics and research, pseudonymised"
DEMOCRATIC = "Art. 6(1)(e) public task; Art. 9(2)(g) substantial public interest (democratic engagement)"

# Kept on a request for erasure: the reason is shown in the erasure report and the record of processing.
KEEP_AUDIT = "keep: the audit is kept whole and hash-chained (accountability; Art. 17(3)(b) and (e))"
KEEP_CLINICAL = "keep: a clinical safety record (Art. 17(3)(c), public health; DCB0129)"
KEEP_SAFEGUARDING = "keep: a safeguarding record (Art. 17(3)(b), legal obligation; Care Act 2014)"
KEEP_SENT = "keep: already part of the GP's record, which holds it under its own controller"
