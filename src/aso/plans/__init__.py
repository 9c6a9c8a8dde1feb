"""Plan designs (DESIGN section 5): one design per line of coverage and plan year.

``domain`` holds the schema (frozen pydantic models: plain values, no database) and the structural
rules; ``legal`` the warnings against the yearly legal figures kept in ``aso/codes``; ``templates``
the designs that ship; ``service`` loading designs from files and the template catalogue.
"""
