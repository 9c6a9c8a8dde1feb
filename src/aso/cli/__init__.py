"""The ``aso`` command: one module per capability, wired together in ``main``."""
