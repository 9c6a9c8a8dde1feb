"""Stop-loss: the insurance that caps what a self-funded employer pays for claims (DESIGN 8).

An employer that pays its employees' claims from its own money buys two covers from a
stop-loss carrier, written in one contract per policy period:

- **Specific** (individual): for each member, the carrier reimburses a share of the plan's paid
  claims above the *specific deductible* (e.g. $100,000). A *laser* gives a named member a
  higher deductible (a known large claimant the carrier would otherwise not cover).
- **Aggregate**: for the group, the carrier reimburses a share of the paid claims above the
  *aggregate attachment point*: monthly attachment factors by coverage tier x the employees
  enrolled in that tier each month, summed over the policy, and never below a minimum
  attachment. Only each member's claims up to its specific deductible count toward the
  aggregate (what is above is the specific cover's), so no dollar is reimbursed twice.

The contract **basis** says which claims count: ``12/15`` = incurred in the 12 months of the
policy and paid within 15 months of its start (3 months of run-out); ``24/12`` = incurred in the
24 months up to the policy's end (12 months of run-in) and paid in its 12 months.

- ``domain``: contracts, positions per member and in aggregate, large-case notifications, what
  a reimbursement request asks for and the claims behind it. Pure.
- ``models``: contracts, lasers, attachment factors, notifications sent, reimbursement
  requests with their claims, reimbursements received.
- ``repository``: which paid claims and enrolled employees a contract counts, and what earlier
  requests asked; ``views``: positions as the API and the CLI show them (de-identified for an
  employer's users, DESIGN 1); ``schemas``: the contract document and the read shapes.
- ``service``: the use cases (create a contract, track, request, record a reimbursement with
  its ledger entries, report).
"""
