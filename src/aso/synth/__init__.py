"""Synthetic, deterministic data for demos, tests and benchmarks.

Everything here is seeded: the same seed gives the same people, elections and (later) claims, so
``aso demo`` rebuilds the same demo employer every time. No real person's data is used; SSNs are
drawn from the 900-999 area range, which the SSA never issues.
"""
