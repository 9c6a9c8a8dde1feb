"""Providers, networks, contracts and fee schedules: what prices a claim (DESIGN 3 and 6.3).

A **provider** is identified by its NPI (10 digits whose last is a Luhn check digit computed
with the prefix 80840, 45 CFR 162.406), pays taxes under a TIN (its EIN, ``NN-NNNNNNN``), has a
NUCC taxonomy code (``207Q00000X``) and a kind (professional, facility, pharmacy, dental,
vision). A **network** is a set of contracted providers, named by a code. A **contract** ties a
provider to a network from a start date to an end date (the last day in effect; none = open)
and names the **fee schedule** that prices its claims. A provider with a contract in effect on
a date is in network on that date, any other is out of network.

A fee schedule has a network status: ``in`` schedules price claims of the providers whose
contracts name them; an ``out`` schedule is the plan's out-of-network reference (e.g. 150% of
the Medicare-style fee) and applies to every out-of-network claim. Its settings
(percent of charge, percent of the Medicare-style fee with an optional conversion factor, AWP
discount and dispensing fee, claim types) come with its rates (per procedure and modifier,
revenue code or category; per unit, per diem or case rate) and its drug unit prices (AWP, MAC).

Everything is imported from CSV files, each all or nothing (``provider_csv.py``,
``fee_csv.py``: a pure check of the whole file, every problem reported as ``row N, field:
why``) and idempotent (``service.py``). ``service.pricing_reference`` loads, in a few queries,
the engine's ``Provider`` of every NPI and the engine's ``FeeSchedule`` values, once per batch.

Money is integer cents in the database, sub-cent unit prices (AWP, MAC, conversion factors)
integer millicents (1/100,000 dollar) and shares integer basis points: never a float.
"""
