"""Members, families, coverage and eligibility.

A **family** is a subscriber (the employee) and its dependents (spouse, domestic partner, child).
Every person is a **member** with a public member id (``M`` + 8 digits + a Luhn check digit) that
members, providers and X12 files use; database ids never leave the system. SSNs are encrypted at
rest (``crypto.py``) and shown only as ``***-**-1234``.

A **coverage** is member x line x plan x tier x start x end (the end is the last covered day;
none = until the plan's period ends). No two coverages of one member in one line overlap;
children are covered to the end of the month they turn 26; the tier agrees with the family.
**Eligibility** (``domain.decide_eligibility``) answers: is this member covered in this line on this
date, under which plan and tier, and if not, why (the reasons map to the CARCs of DESIGN 6.1).

``census.py`` reads the employer's CSV census: a pure parse and check of the whole file, then one
transaction that adds or updates members and coverages (all or nothing, idempotent).
"""
