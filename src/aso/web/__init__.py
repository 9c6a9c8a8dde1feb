"""Server-rendered web pages (Jinja2). Signed-in through a cookie holding the same bearer token
the API uses, so every page is scoped exactly like the ``/v1`` endpoints."""
