"""Admin fees: the TPA's monthly invoice to each employer (DESIGN 8).

- ``domain``: the fee agreement (PEPM by line of coverage, share of paid claims, per-claim
  fees, a monthly minimum, stop-loss premiums passed through), the census of a month by a
  stated counting rule, the charges it gives, and the invoice that also corrects earlier
  invoiced months from today's enrollment (each adjustment names the month it corrects). Pure.
  ``months``: calendar months.
- ``models`` and ``repository``: agreements, invoices and their lines, and what each month has
  been billed; the enrollment and paid-claims snapshots billing reads (counts, never members).
- ``service``: set an agreement, run a month's invoices (once per employer and month, posted
  to the ledger), read, list and void invoices, with the role checks of DESIGN 1.
- ``documents``: the invoice as PDF and CSV.

The CLI is ``aso invoices`` (``aso fees`` is the providers' fee schedules); the API is
``/v1/invoices`` and ``/v1/employers/{id}/invoices``.
"""
