"""Loading plan designs from files (YAML or JSON) into a ``DesignCheck``."""

from __future__ import annotations

from pathlib import Path

import yaml

from aso.errors import Problem, ValidationFailed
from aso.plans.validation import DesignCheck, validate_design
from aso.yamlio import load_document


def load_design_file(path: Path) -> DesignCheck:
    """Validate the design in ``path``.

    A file that cannot be read or is not YAML/JSON raises ``ValidationFailed`` (the input is
    unusable); a readable document that is not a valid design is a ``DesignCheck`` with errors.
    """
    try:
        data = load_document(Path(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed([Problem(str(path), f"cannot read: {_reason(exc)}")]) from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise ValidationFailed([Problem(str(path), f"not a YAML or JSON document: {exc}")]) from exc
    return validate_design(data)


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
