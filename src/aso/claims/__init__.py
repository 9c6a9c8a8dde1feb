"""The claims engine (DESIGN section 6): a pure core that adjudicates claims line by line.

Design overview:

- ``domain``: the values that go in and come out (claims, lines, members, coverage, results,
  adjustments, accumulator entries). Frozen dataclasses with slots: a batch builds hundreds of
  thousands of them.
- ``context``: the reference data (plans compiled by ``plan_rules``, members, coverage,
  fee schedules, authorizations), built once from plain values.
- ``engine``: ``adjudicate_claim(claim, context=, state=, history=)`` gives a ``ClaimResult``
  carrying the accumulator entries the claim produced; corrections (frequency 7 and 8) reverse
  the corrected claim first; ``reprocess`` adjudicates later claims again after a correction.
- ``adjudication`` runs one line through the edits of 6.1 in order: ``eligibility``,
  timely filing, duplicates and limits (``edits``), ``categories`` (6.2, rules kept as data in
  ``aso/codes``), ``pricing`` (6.3); ``payment`` settles a covered line (6.4, arithmetic in
  ``cost_sharing``); ``outcomes`` builds denied and pended lines (6.5).
- ``accumulators``: totals are sums of entries, so a store of entries can always rebuild them.
- ``parsing`` and ``reference`` read plain documents (structural errors raise
  ``ValidationFailed`` naming claim, line and field); ``scenario``, ``output`` and ``checking``
  are the ``aso simulate`` contract of section 7; ``explain`` words the decision trace and
  ``reasons`` describes CARC/RARC codes.

Denials and pends are data on the results (reason codes, pend reasons); only broken input raises.

The shell around the engine (database and use cases):

- ``models`` (tables), ``repository``, ``stored`` (row <-> value conversions), ``bulk`` (fast
  multi-row inserts; PostgreSQL COPY-class speed without the ORM).
- ``intake``: claims stored as received, all or nothing; the provider directory decides network.
- ``batch`` (with ``reference_data``, ``family_run``, ``persist``): ``adjudicate_received``
  loads reference data once, runs families in received order, writes immutable versions, line
  results, adjustments and one accumulator entry per contributing line.
- ``service``, ``access``, ``balances``: reading claims (scoped, audit-logged), accumulator
  balances and ``rebuild --verify``; ``authorizations`` and ``adjustments``: the prior-auth
  register and manual/prior-carrier accumulator adjustments.
"""
