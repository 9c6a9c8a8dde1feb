"""Plan designs (DESIGN section 5): one design per line of coverage and plan year.

- ``domain``: the schema (frozen pydantic models: plain values, no database) and its field rules.
- ``validation``: ``validate_design`` / ``parse_design``, the one way in for a design document.
  It runs the schema (its errors retold by ``messages`` as ``path: reason``), the cross-field
  ``rules`` (errors), then the ``legal`` checks (warnings) against the yearly figures of
  ``aso/codes/legal_limits.yaml`` (read by ``figures``).
- ``templates``: the catalogue of designs that ship (YAML in ``template_files/``);
  ``service``: loading a design file.
"""
