"""The HTTP API under ``/v1``: FastAPI routers, one module per capability.

Every route requires a bearer token (``POST /v1/auth/token``) and scopes what it returns to the
caller's role (DESIGN section 1). Errors from :mod:`aso.errors` become HTTP responses in exactly
one place, :func:`aso.api.app.create_app`.
"""
