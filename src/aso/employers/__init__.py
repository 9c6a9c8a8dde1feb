"""Employers (plan sponsors), their plan years and the plans they offer each year.

An employer is identified by its EIN. Each plan year has a start, an end and a run-out period
(claims incurred in the year and paid up to N months later). A plan offered in a plan year is a
plan design document (:class:`aso.plans.domain.PlanDesign`) stored as JSON; its ``id`` is unique
per employer and plan year, and its period must lie inside the plan year.

``domain.py`` holds the pure rules (EIN check, plan-year and plan-period checks), ``models.py`` the
tables, ``repository.py`` loading, ``service.py`` the use cases and ``schemas.py`` their shapes.
"""
