"""The claims engine (DESIGN section 6): a pure core that adjudicates claims line by line.

Design overview:

- ``domain``: the values that go in and come out (claims, lines, members, coverage, results,
  adjustments). Frozen dataclasses with slots: the engine builds hundreds of thousands of them.
- ``plan_rules``: a ``PlanDesign`` compiled once into plain lookups for the hot path.
- ``categories`` (6.2), ``pricing`` (6.3), ``cost_sharing`` (6.4): each rule of its own section,
  the category rules and relative values kept as data in ``aso/codes``.
- ``eligibility`` and ``edits``: the edits of 6.1 that can deny or pend a line.
- ``accumulators``: every adjudicated line yields accumulator *entries*; running totals are the
  sum of the entries, so a store of entries can always rebuild them.
- ``engine``: ``adjudicate_claim(claim, context=..., state=..., history=...)`` runs the edits in
  order for one claim and gives a ``ClaimResult`` carrying the new entries.
- ``parsing`` and ``scenario``: the plain-document form of section 7 (structural errors raise
  ``ValidationFailed``), the ``aso simulate`` contract, and ``check_expected``.

Denials and pends are data on the results (CARC/RARC codes, pend reasons); only broken input
raises.
"""
