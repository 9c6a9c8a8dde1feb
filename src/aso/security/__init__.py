"""Who may do what (DESIGN section 1): users, roles, bearer tokens, and the audit log.

Every request is authenticated; what a role may see is decided by :class:`Principal`; every read
of a member's data is written to the audit log in the same transaction as the read.
"""
