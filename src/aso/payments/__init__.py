"""Payments: how a payment cycle's money reaches payees (DESIGN 8, issue 5).

- ``nacha``: the NACHA ACH file of EFT claim payments (CCD+ with the 835 reassociation trace
  in the addenda, the healthcare EFT standard), written from plain values.
- ``nacha_check``: a structure checker that reads any NACHA file back (record lengths, blocking,
  record order, counts, entry hash, totals, addenda and trace numbers).
- ``checks``: checks as a payment method: the check register and the bank's positive pay file.

These are pure file formats: no database, no clock, no file IO.
"""
