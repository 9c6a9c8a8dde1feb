"""ASO: an open platform for third-party administrators of self-funded employer benefit plans.

The package is a functional core with an imperative shell (see ``docs/architecture.md``):
domain modules (``*/domain.py``) are pure and take plain values in and out; persistence,
formats, the HTTP API and the command line wrap them.
"""

__version__ = "0.1.0"
