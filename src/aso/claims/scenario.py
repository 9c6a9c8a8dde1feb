"""Scenario files (DESIGN 7): a self-contained set of plans, members, coverage and claims,
adjudicated in file order with no database. The member cost estimator, the plan-design "what if"
tool and the engine's test format.

``run_scenario(document, explain=...)`` gives the JSON-ready output (amounts as 2-place decimal
strings); ``check_expected(document, output)`` lists every difference from the file's
``expected`` block, naming claim, line and field. A structural error anywhere raises
``ValidationFailed`` and nothing is adjudicated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aso.claims.accumulators import AccumulatorState
from aso.claims.domain import (
    Authorization,
    Claim,
    ClaimResult,
    Coverage,
    Frequency,
    Kind,
    LineResult,
    Member,
    Network,
)
from aso.claims.edits import ClaimHistory
from aso.claims.engine import Context, adjudicate_claim, build_context
from aso.claims.parsing import (
    Reader,
    read_authorizations,
    read_claim,
    read_coverage,
    read_fee_schedules,
    read_members,
)
from aso.claims.plan_rules import Maximum, PlanRules
from aso.claims.pricing import FeeSchedule
from aso.errors import NotFound, Problem, ValidationFailed
from aso.money import fmt
from aso.plans.domain import PlanDesign, Tier

TOP_FIELDS = frozenset(
    {
        "name",
        "description",
        "plans",
        "members",
        "coverage",
        "fee_schedules",
        "authorizations",
        "claims",
        "expected",
    }
)
AMOUNT_FIELDS = (
    "charge",
    "allowed",
    "copay",
    "deductible",
    "coinsurance",
    "not_covered",
    "balance_bill",
    "plan_paid",
    "member_responsibility",
)
TEXT_FIELDS = ("status", "category", "pend_reason")
LIST_FIELDS = ("carc", "remarks", "adjustments")
ACCUMULATOR_FIELDS = ("deductible", "deductible_limit", "out_of_pocket", "out_of_pocket_limit")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    plans: tuple[PlanDesign, ...]
    members: tuple[Member, ...]
    coverage: tuple[Coverage, ...]
    fee_schedules: tuple[FeeSchedule, ...]
    authorizations: tuple[Authorization, ...] | None
    claims: tuple[Claim, ...]


def load_scenario(document: object) -> Scenario:
    """The scenario of a document, or ``ValidationFailed`` listing every structural error."""
    reader = Reader()
    if not isinstance(document, Mapping):
        raise ValidationFailed([Problem("", "a scenario is a mapping (YAML or JSON object)")])
    reader.known_fields(document, TOP_FIELDS, "scenario")
    plans = _plans(reader, document.get("plans"))
    members = read_members(reader, document.get("members"))
    coverage = read_coverage(
        reader, document.get("coverage"), {m.id for m in members}, {p.id for p in plans}
    )
    schedules = read_fee_schedules(reader, document.get("fee_schedules"))
    authorizations = read_authorizations(reader, document.get("authorizations"))
    claims = _claims(reader, document.get("claims"))
    if reader.problems:
        raise ValidationFailed(reader.problems, summary="invalid scenario")
    return Scenario(
        name=str(document.get("name", "")),
        plans=tuple(plans),
        members=tuple(members),
        coverage=tuple(coverage),
        fee_schedules=tuple(schedules),
        authorizations=None if authorizations is None else tuple(authorizations),
        claims=tuple(claims),
    )


def _plans(reader: Reader, raw: object) -> list[PlanDesign]:
    plans: list[PlanDesign] = []
    for index, item in enumerate(reader.sequence(raw, "plans")):
        where = f"plans[{index}]"
        try:
            design = _design(item)
        except ValidationFailed as exc:
            for problem in exc.problems:
                at = f"{where}.{problem.where}" if problem.where else where
                reader.problem(at, problem.message)
            continue
        except NotFound as exc:
            reader.problem(where, str(exc) or f"no plan template {item!r}")
            continue
        if any(plan.id == design.id for plan in plans):
            reader.problem(f"{where}.id", f"plan {design.id} appears twice")
        plans.append(design)
    return plans


def _design(item: object) -> PlanDesign:
    """A plan design from a mapping, or from a template id (``aso plans templates``)."""
    if isinstance(item, str):
        from aso.plans.templates import get_template  # the catalogue loads its files lazily

        return get_template(item)
    if not isinstance(item, Mapping):
        raise ValidationFailed([Problem("", "a plan is a design mapping or a template id")])
    from aso.plans.validation import parse_design

    return parse_design(item)


def _claims(reader: Reader, raw: object) -> list[Claim]:
    claims: list[Claim] = []
    seen: set[str] = set()
    for index, item in enumerate(reader.sequence(raw, "claims")):
        claim = read_claim(reader, item, index)
        if claim is None:
            continue
        where = f"claims[{claim.id}]"
        if claim.id in seen:
            reader.problem(f"{where}.id", f"claim {claim.id} appears twice")
        if claim.frequency is not Frequency.ORIGINAL and claim.replaces not in seen:
            reader.problem(f"{where}.replaces", f"no earlier claim {claim.replaces}")
        seen.add(claim.id)
        claims.append(claim)
    return claims


# -- running -------------------------------------------------------------------------------------


def adjudicate_scenario(
    scenario: Scenario, *, explain: bool = False
) -> tuple[list[ClaimResult], AccumulatorState, Context]:
    """Every claim in file order against one running state."""
    context = build_context(
        plans=scenario.plans,
        members=scenario.members,
        coverage=scenario.coverage,
        fee_schedules=scenario.fee_schedules,
        authorizations=scenario.authorizations,
        explain=explain,
    )
    state = AccumulatorState()
    history = ClaimHistory()
    results = [
        adjudicate_claim(claim, context=context, state=state, history=history)
        for claim in scenario.claims
    ]
    return results, state, context


def run_scenario(document: Mapping[str, Any], *, explain: bool = False) -> dict[str, Any]:
    """The output of DESIGN 7 for a scenario document (JSON-ready: amounts are strings)."""
    scenario = load_scenario(document)
    results, state, context = adjudicate_scenario(scenario, explain=explain)
    return {
        "name": scenario.name,
        "claims": [claim_output(result, explain=explain) for result in results],
        "accumulators": accumulator_rows(scenario, state, context),
    }


def claim_output(result: ClaimResult, *, explain: bool = False) -> dict[str, Any]:
    return {
        "id": result.claim,
        "status": result.status.value,
        "lines": [line_output(line, explain=explain) for line in result.lines],
    }


def line_output(line: LineResult, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "line": line.line,
        "status": line.status.value,
        "category": line.category,
        "charge": fmt(line.charge),
        "allowed": fmt(line.allowed),
        "copay": fmt(line.copay),
        "deductible": fmt(line.deductible),
        "coinsurance": fmt(line.coinsurance),
        "not_covered": fmt(line.not_covered),
        "balance_bill": fmt(line.balance_bill),
        "plan_paid": fmt(line.plan_paid),
        "member_responsibility": fmt(line.member_responsibility),
        "adjustments": [
            {"group": a.group.value, "carc": a.carc, "amount": fmt(a.amount)}
            for a in line.adjustments
        ],
        "remarks": list(line.remarks),
    }
    if line.pend_reason is not None:
        out["pend_reason"] = line.pend_reason
    if explain:
        out["trace"] = list(line.trace)
    return out


def accumulator_rows(
    scenario: Scenario, state: AccumulatorState, context: Context
) -> list[dict[str, Any]]:
    """Deductible and out-of-pocket met, with limits, per member and per family, per
    accumulator group, plan period and network tier (families on a family tier only)."""
    rows: list[dict[str, Any]] = []
    for member in scenario.members:
        plans = _member_plans(member, context)
        for (group, start, end), found in plans.items():
            for network in _networks(found, state, member, group, start, end):
                rows.append(_row("member", member.id, group, start, end, network, found, state))
    families: dict[tuple[str, str, Any, Any], list[tuple[PlanRules, Tier]]] = {}
    for member in scenario.members:
        for (group, start, end), found in _member_plans(member, context).items():
            if any(tier is not Tier.EMPLOYEE for _, tier in found):
                families.setdefault((member.family, group, start, end), []).extend(found)
    for (family, group, start, end), found in families.items():
        for network in (Network.IN, Network.OUT):
            if _has_limits(found, network) or _met(
                state, "family", family, group, network, start, end
            ):
                rows.append(_row("family", family, group, start, end, network, found, state))
    return rows


def _member_plans(
    member: Member, context: Context
) -> dict[tuple[str, Any, Any], list[tuple[PlanRules, Tier]]]:
    found: dict[tuple[str, Any, Any], list[tuple[PlanRules, Tier]]] = {}
    for plan_line in {plan.line for plan in context.plans.values()}:
        for span in context.coverage.spans(member.id, plan_line):
            plan = span.plan
            key = (plan.group, plan.period_start, plan.period_end)
            found.setdefault(key, []).append((plan, span.tier))
    return found


def _has_limits(found: Sequence[tuple[PlanRules, Tier]], network: Network) -> bool:
    return any(
        maximum is not None and maximum.individual(network) is not None
        for plan, _ in found
        for maximum in (plan.deductible, plan.oop)
    )


def _met(
    state: AccumulatorState,
    scope: str,
    who: str,
    group: str,
    network: Network,
    start: Any,
    end: Any,
) -> bool:
    total = state.member_total if scope == "member" else state.family_total
    return any(
        total(kind, who, group, network, start, end)
        for kind in (Kind.DEDUCTIBLE, Kind.OUT_OF_POCKET)
    )


def _networks(
    found: Sequence[tuple[PlanRules, Tier]],
    state: AccumulatorState,
    member: Member,
    group: str,
    start: Any,
    end: Any,
) -> Iterable[Network]:
    for network in (Network.IN, Network.OUT):
        if _has_limits(found, network) or _met(
            state, "member", member.id, group, network, start, end
        ):
            yield network


def _limit(
    found: Sequence[tuple[PlanRules, Tier]], attribute: str, scope: str, network: Network
) -> str | None:
    for plan, _ in found:
        maximum: Maximum | None = getattr(plan, attribute)
        if maximum is None:
            continue
        amount = maximum.individual(network) if scope == "member" else maximum.family(network)
        if amount is not None:
            return fmt(amount)
    return None


def _row(
    scope: str,
    who: str,
    group: str,
    start: Any,
    end: Any,
    network: Network,
    found: Sequence[tuple[PlanRules, Tier]],
    state: AccumulatorState,
) -> dict[str, Any]:
    total = state.member_total if scope == "member" else state.family_total
    return {
        scope: who,
        "group": group,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "network": network.value,
        "deductible": fmt(total(Kind.DEDUCTIBLE, who, group, network, start, end)),
        "deductible_limit": _limit(found, "deductible", scope, network),
        "out_of_pocket": fmt(total(Kind.OUT_OF_POCKET, who, group, network, start, end)),
        "out_of_pocket_limit": _limit(found, "oop", scope, network),
    }


# -- checking ------------------------------------------------------------------------------------


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
