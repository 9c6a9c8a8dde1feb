"""``aso simulate --check`` (DESIGN 7): compare a scenario's output with its ``expected`` block,
one message per difference naming claim, line and field (``C2 line 1 plan_paid: expected 85.00,
got 80.00``). A malformed ``expected`` block is a structural error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from aso.errors import Problem, ValidationFailed

AMOUNT_FIELDS = (
    "charge", "allowed", "copay", "deductible", "coinsurance", "not_covered", "balance_bill",
    "plan_paid", "member_responsibility",
)  # fmt: skip
TEXT_FIELDS = ("status", "category", "pend_reason")
ACCUMULATOR_FIELDS = ("deductible", "deductible_limit", "out_of_pocket", "out_of_pocket_limit")


def check_expected(document: Mapping[str, Any], output: Mapping[str, Any]) -> list[str]:
    """Differences between the document's ``expected`` block and the output, one message each.

    ``expected`` maps a claim id to a list of line expectations (or to ``{status, lines}``);
    fields left out are not checked; amounts compare as decimals; ``carc: [..]`` means those
    codes appear among the line's adjustments and ``remarks: [..]`` among its remarks. An
    ``accumulators`` list (when no claim has that id) checks rows of the output's accumulators.
    """
    expected = document.get("expected")
    if expected is None:
        return []
    if not isinstance(expected, Mapping):
        raise ValidationFailed([Problem("expected", "must be a mapping of claim id to lines")])
    claims = {claim["id"]: claim for claim in output["claims"]}
    differences: list[str] = []
    problems: list[Problem] = []
    for key, wanted in expected.items():
        claim_id = str(key)
        if claim_id == "accumulators" and claim_id not in claims:
            differences += _check_accumulators(wanted, output["accumulators"], problems)
        elif claim_id not in claims:
            differences.append(f"{claim_id}: expected a claim {claim_id}; the scenario has none")
        else:
            differences += _check_claim(claim_id, wanted, claims[claim_id], problems)
    if problems:
        raise ValidationFailed(problems, summary="invalid expected results")
    return differences


def _check_claim(
    claim_id: str, wanted: object, claim: Mapping[str, Any], problems: list[Problem]
) -> list[str]:
    where = f"expected.{claim_id}"
    if isinstance(wanted, Mapping):
        unknown = set(wanted) - {"status", "lines"}
        if unknown:
            problems.append(Problem(where, f"unknown field(s) {sorted(unknown)}"))
        differences = []
        if "status" in wanted and str(wanted["status"]) != claim["status"]:
            differences.append(
                f"{claim_id} status: expected {wanted['status']}, got {claim['status']}"
            )
        return differences + _check_claim(claim_id, wanted.get("lines", []), claim, problems)
    if not isinstance(wanted, list):
        problems.append(Problem(where, "must be a list of line expectations"))
        return []
    differences = []
    lines = claim["lines"]
    for index, line_wanted in enumerate(wanted):
        number = index + 1
        if not isinstance(line_wanted, Mapping):
            problems.append(Problem(f"{where}[{number}]", "must be a mapping of fields"))
            continue
        if index >= len(lines):
            differences.append(
                f"{claim_id} line {number}: expected a line {number}; the claim has {len(lines)}"
            )
            continue
        differences += _check_line(
            f"{claim_id} line {number}", line_wanted, lines[index], f"{where}[{number}]", problems
        )
    return differences


def _check_line(
    label: str,
    wanted: Mapping[str, Any],
    line: Mapping[str, Any],
    where: str,
    problems: list[Problem],
) -> list[str]:
    differences = []
    for field, value in wanted.items():
        got = line.get(field)
        if field in AMOUNT_FIELDS:
            if _as_decimal(value) is None:
                problems.append(Problem(f"{where}.{field}", f"{value!r} is not an amount"))
            elif _as_decimal(value) != _as_decimal(got):
                differences.append(f"{label} {field}: expected {_show(value)}, got {got}")
        elif field in TEXT_FIELDS:
            if str(value) != str(got):
                differences.append(f"{label} {field}: expected {value}, got {got}")
        elif field == "carc":
            codes = [a["carc"] for a in line["adjustments"]]
            for code in _codes(value):
                if code not in codes:
                    differences.append(f"{label} carc: expected {code} among {codes or 'none'}")
        elif field == "remarks":
            for code in _codes(value):
                if code not in line["remarks"]:
                    differences.append(
                        f"{label} remarks: expected {code} among {line['remarks'] or 'none'}"
                    )
        elif field == "adjustments":
            differences += _check_adjustments(label, value, line["adjustments"], where, problems)
        else:
            problems.append(Problem(f"{where}.{field}", "unknown field"))
    return differences


def _check_adjustments(
    label: str, value: object, got: Sequence[Mapping[str, str]], where: str, problems: list[Problem]
) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        problems.append(Problem(f"{where}.adjustments", "must be a list of {group, carc, amount}"))
        return []
    try:
        wanted = sorted((str(v["group"]), str(v["carc"]), Decimal(str(v["amount"]))) for v in value)
    except (KeyError, ArithmeticError):
        problems.append(Problem(f"{where}.adjustments", "each needs group, carc and amount"))
        return []
    actual = sorted((a["group"], a["carc"], Decimal(a["amount"])) for a in got)
    if wanted == actual:
        return []
    return [f"{label} adjustments: expected {_listed(wanted)}, got {_listed(actual)}"]


def _listed(adjustments: Sequence[tuple[str, str, Decimal]]) -> str:
    return ", ".join(f"{g}-{c} {a:.2f}" for g, c, a in adjustments) or "none"


def _check_accumulators(
    wanted: object, rows: Sequence[Mapping[str, Any]], problems: list[Problem]
) -> list[str]:
    if not isinstance(wanted, list):
        problems.append(Problem("expected.accumulators", "must be a list of rows"))
        return []
    differences = []
    keys = ("member", "family", "group", "network")
    for index, row in enumerate(wanted):
        where = f"expected.accumulators[{index}]"
        if not isinstance(row, Mapping):
            problems.append(Problem(where, "must be a mapping"))
            continue
        unknown = set(row) - {*keys, "period_start", *ACCUMULATOR_FIELDS}
        if unknown:
            problems.append(Problem(where, f"unknown field(s) {sorted(unknown)}"))
            continue
        match = [r for r in rows if _row_matches(row, r, keys)]
        label = " ".join(f"{k} {row[k]}" for k in keys if k in row)
        if len(match) != 1:
            differences.append(f"accumulators {label}: {len(match)} rows match, expected one")
            continue
        for field in ACCUMULATOR_FIELDS:
            if field in row and _as_decimal(row[field]) != _as_decimal(match[0][field]):
                got = match[0][field]
                differences.append(
                    f"accumulators {label} {field}: expected {_show(row[field])}, got {got}"
                )
    return differences


def _row_matches(wanted: Mapping[str, Any], row: Mapping[str, Any], keys: Sequence[str]) -> bool:
    if "period_start" in wanted and str(wanted["period_start"]) != row["period"]["start"]:
        return False
    if ("member" in wanted) != ("member" in row):
        return False
    return all(str(wanted[k]) == str(row.get(k)) for k in keys if k in wanted)


def _codes(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _as_decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _show(value: object) -> str:
    number = _as_decimal(value)
    return str(value) if number is None else f"{number:.2f}"
