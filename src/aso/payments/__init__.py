"""Payments: how an employer's money reaches the payees of its plan's claims (DESIGN 8, issue 5).

File formats, pure (no database, no clock, no file IO):

- ``nacha``: the NACHA ACH file of EFT claim payments (CCD+ with the 835 reassociation trace
  in the addenda, the healthcare EFT standard), written from plain values.
- ``nacha_check``: a structure checker that reads any NACHA file back (record lengths, blocking,
  record order, counts, entry hash, totals, addenda and trace numbers).
- ``checks``: checks as a payment method: the check register and the bank's positive pay file.

Claims funding and payments:

- ``domain`` (pure): what a payment pays and takes back, overpayments netted and recovered with
  PLB WO (X221A1 1.10.2.17), funding requests and prefunding, banking days and prenotes, ACH
  returns and notifications of change. ``postings`` (pure): the ledger entries of each event,
  with the table of debits and credits.
- ``models``, ``repository``: funding accounts, payee bank accounts, cycles, deposits,
  payments and the claim versions they carry (a version in one live payment at most: a partial
  unique index), checks, recoveries, files, ACH notices.
- ``cycles`` (``aso payments run``): a cycle per employer, one payment per payee, the claims
  recognized and the funding request; ``service``: funding accounts, bank accounts, deposits,
  funding status, reads; ``documents``: the funding request as PDF and CSV (de-identified).
- ``release`` (``aso payments release``): payments released as far as the funds go, the ACH
  file, checks and positive pay (``instruments``), one 835 per payment (``remit``: the 835
  export's builder, claims and registry), claims approved -> paid.
- ``voids`` (``aso payments void``) and ``returns`` (``aso payments returns``): reissued and
  voided checks, ACH returns and NOCs; a payment that never reached its payee is undone whole.
- ``files``, ``views``, ``schemas``: the files kept, and the read shapes.
"""
