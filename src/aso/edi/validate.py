"""``pyx12``, the maintained open-source X12 validator, as an independent check (DESIGN 9).

pyx12 walks a file against its maps of the implementation guides (codes, element formats,
loop and segment repeats, situational rules) and reports what it finds on the interchange,
functional group, transaction set, segment and element it is about. Its findings come back as
``Finding`` values, with the acknowledgment codes pyx12 gives them (TA1 note, AK9, IK5, IK3,
IK4). pyx12 has maps for the 834, 835, 837P, 837I (and the 999, 277); not for the 837D,
the 270/271 or the 276: ``CannotValidate`` says so.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from aso.edi.codes import ElementError, GroupError, SegmentError, SetError, Ta1Note
from aso.edi.findings import Finding, Level
from aso.edi.reader import SegmentReader
from aso.errors import AsoError


class CannotValidate(AsoError):
    """pyx12 cannot check this file: it is not X12, or pyx12 has no map for its guide."""


def _quiet() -> None:
    """pyx12 logs every finding as an error; they are returned here instead."""
    logger = logging.getLogger("pyx12")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


def _code(enum: Any, value: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        return None


def _segments(st: dict[str, Any]) -> list[Finding]:
    found = []
    control = st["trn_set_control_num"]
    for seg in st["segments"]:
        where = {
            "segment": seg["seg_id"],
            "position": seg["cur_line"],
            "set_position": seg["seg_count"],
            "set_control": control,
        }
        for error in seg["errors"]:
            found.append(
                Finding(
                    Level.SET,
                    error["err_str"],
                    value=error["err_val"],
                    segment_code=_code(SegmentError, error["err_cde"]),
                    **where,
                )
            )
        for element in seg["elements"]:
            for error in element["errors"]:
                found.append(
                    Finding(
                        Level.SET,
                        error["err_str"],
                        element=element["ele_pos"],
                        component=element["subele_pos"],
                        value=error["err_val"],
                        segment_code=SegmentError.HAS_ELEMENT_ERRORS,
                        element_code=_code(ElementError, error["err_cde"]),
                        **where,
                    )
                )
    return found


def _findings(tree: dict[str, Any]) -> list[Finding]:
    """pyx12's error tree (interchanges > groups > sets > segments > elements) as findings."""
    found: list[Finding] = []
    for isa in tree["interchanges"]:
        for error in isa["errors"]:
            found.append(
                Finding(
                    Level.INTERCHANGE,
                    error["err_str"],
                    segment="ISA",
                    position=1,
                    ta1=_code(Ta1Note, error["err_cde"]),
                )
            )
        for gs in isa["groups"]:
            for error in gs["errors"]:
                found.append(
                    Finding(
                        Level.GROUP,
                        error["err_str"],
                        segment="GE",
                        position=gs["cur_line"],
                        group_code=_code(GroupError, error["err_cde"]),
                    )
                )
            for st in gs["transactions"]:
                for error in st["errors"]:
                    found.append(
                        Finding(
                            Level.SET,
                            f"set {st['trn_set_control_num']}: {error['err_str']}",
                            set_control=st["trn_set_control_num"],
                            set_code=_code(SetError, error["err_cde"]),
                        )
                    )
                found.extend(_segments(st))
    return found


def validate_file(path: Path) -> list[Finding]:
    """pyx12's findings on a file (none: it passed). ``Unreadable`` when it is not X12,
    ``CannotValidate`` when pyx12 has no map for one of its guides."""
    _quiet()
    with path.open("rb") as raw:
        SegmentReader(raw, chunk_size=4096)  # the ISA is sound, or Unreadable
    output = io.StringIO()
    with path.open(encoding="utf-8-sig") as stream:
        try:
            passed = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), stream, None, None, fd_json=output
            )
        except pyx12.errors.EngineError as exc:
            raise CannotValidate(f"pyx12 cannot validate {path.name}: {exc}") from exc
    if not output.getvalue():
        raise CannotValidate(f"pyx12 could not read {path.name}")
    findings = _findings(json.loads(output.getvalue()))
    if not passed and not findings:
        raise CannotValidate(f"pyx12 rejected {path.name} without saying why")
    return findings
