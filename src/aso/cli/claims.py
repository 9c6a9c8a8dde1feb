"""``aso claims``, ``aso accumulators`` and ``aso authorizations``: claim intake and batch
adjudication, accumulators (show, adjust, rebuild and verify) and prior authorizations.

Register with::

    app.add_typer(claims.claims_app, name="claims")
    app.add_typer(claims.accumulators_app, name="accumulators")
    app.add_typer(claims.auth_app, name="authorizations")

JSON alone on stdout with ``--json``; progress and messages on stderr. Exit 2 for input that
cannot be used (a structural error names claim, line and field), 1 for a finding (a difference
found by ``rebuild --verify``, a claim or member not found, a conflict).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from aso.claims import eob, service
from aso.claims.adjustments import add_adjustment, list_adjustments
from aso.claims.authorizations import (
    add_authorization,
    list_authorizations,
    set_authorization_status,
)
from aso.claims.batch import BatchSummary, adjudicate_received
from aso.claims.eob_pdf import eob_pdf_bytes
from aso.claims.estimate import estimate
from aso.claims.examiner import deny, override, pend_queue, release, reprocess, reprocessing
from aso.claims.intake import submit_claims
from aso.claims.schemas import (
    AccumulatorAdjustmentCreate,
    AuthorizationCreate,
    AuthorizationRead,
    ClaimRead,
    DecisionResult,
    DenyRequest,
    EobRead,
    EstimateRequest,
    MemberAccumulatorsRead,
    OverrideRequest,
    RebuildReport,
    ReleaseRequest,
)
from aso.cli.common import (
    application,
    err,
    fail,
    out,
    print_json,
    progress,
    report_error,
    use_case,
)
from aso.employers.service import find_employer
from aso.errors import AsoError, Problem, ValidationFailed
from aso.plans.domain import Line
from aso.security.domain import cli_principal
from aso.yamlio import load_document

claims_app = typer.Typer(help="Claims: intake, batch adjudication, reading.", no_args_is_help=True)
accumulators_app = typer.Typer(
    help="Deductible and out-of-pocket accumulators.", no_args_is_help=True
)
auth_app = typer.Typer(help="Prior authorizations.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="print JSON only")
EMPLOYER_OPTION = typer.Option(None, "--employer", help="only this employer (EIN)")


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        report_error(ValidationFailed([Problem(field, f"{text!r} is not a date (YYYY-MM-DD)")]))


def _employer_id(ein: str | None) -> int | None:
    if ein is None:
        return None
    with application() as aso:
        try:
            return find_employer(uow=aso.uow(), actor=cli_principal(), ein=ein).id
        except AsoError as exc:
            report_error(exc, 2)


def _model_problems(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed(
        [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
    )


# claims -----------------------------------------------------------------------------------------


@claims_app.command("submit")
def claims_submit(
    file: Path = typer.Argument(..., help="a claim, or a list of claims, in YAML or JSON"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Submit claims (DESIGN 7 shape): all are stored as received, or none (every structural
    problem is listed, exit 2). The same claim sent again is not stored twice."""
    try:
        document = load_document(file)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        fail(f"cannot read {file}: {exc}", 2)
    receipts = use_case(
        lambda uow: submit_claims(uow=uow, actor=cli_principal(), documents=document)
    )
    if as_json:
        print_json([receipt.model_dump(mode="json") for receipt in receipts])
        return
    stored = sum(receipt.stored for receipt in receipts)
    for receipt in receipts:
        state = "stored" if receipt.stored else f"already on file ({receipt.status})"
        out.print(f"{receipt.id}: {state}", markup=False)
    out.print(f"{stored} claim(s) stored, {len(receipts) - stored} already on file")


@claims_app.command("adjudicate")
def claims_adjudicate(
    employer: str | None = EMPLOYER_OPTION,
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="about this many claims at most (whole families)"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Adjudicate every received claim, family by family, and store the results."""
    employer_id = _employer_id(employer)
    with application() as aso, progress() as bar:
        task = bar.add_task("adjudicating", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = adjudicate_received(
                uow=aso.uow(),
                actor=cli_principal(),
                employer_id=employer_id,
                limit=limit,
                progress=advance,
            )
        except AsoError as exc:
            report_error(exc, 1)
    if as_json:
        print_json(summary.as_dict())
        return
    _print_batch(summary)


def _print_batch(summary: BatchSummary) -> None:
    if not summary.claims:
        out.print("nothing to adjudicate: no claim is received")
        return
    rate = summary.lines / summary.seconds if summary.seconds else 0.0
    out.print(
        f"adjudicated {summary.claims} claim(s), {summary.lines} line(s) of "
        f"{summary.families} family(ies) in {summary.seconds:.1f} s ({rate:,.0f} lines/s)"
    )
    table = Table("claim status", "claims")
    for status, count in sorted(summary.claim_statuses.items()):
        table.add_row(status, str(count))
    out.print(table)
    for problem in summary.problems:
        err.print(f"{problem.claim}: pended: {problem.reason}", markup=False, highlight=False)
    if summary.listed:
        out.print(
            f"{summary.listed} later claim(s) listed for reprocessing after corrections: "
            "see `aso claims reprocess --list`"
        )


@claims_app.command("show")
def claims_show(
    claim_id: str = typer.Argument(..., help="the claim id as submitted (CLM01)"),
    npi: str | None = typer.Option(None, "--npi", help="the submitting provider's NPI"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A claim as received and every version of its adjudication."""
    claim = use_case(
        lambda uow: service.get_claim(uow=uow, actor=cli_principal(), claim_id=claim_id, npi=npi)
    )
    if as_json:
        print_json(claim.model_dump(mode="json"))
        return
    _print_claim(claim)


def _print_claim(claim: ClaimRead) -> None:
    known = "" if claim.member_known else " (unknown member)"
    out.print(
        f"claim {claim.id} ({claim.type}) for {claim.member_id}{known}: {claim.status}; "
        f"received {claim.received}, provider {claim.provider.npi or '-'} "
        f"{claim.provider.network}-network",
        markup=False,
    )
    if claim.replaces:
        out.print(f"corrects claim {claim.replaces} (frequency {claim.frequency})", markup=False)
    for version in claim.versions:
        note = f": {version.note}" if version.note else ""
        out.print(
            f"version {version.version} {version.status} by {version.by} at "
            f"{version.at:%Y-%m-%d %H:%M}{note}",
            markup=False,
        )
        table = Table(
            "line", "status", "category", "charge", "allowed", "member", "plan paid", "adj"
        )
        for line in version.lines:
            adjustments = " ".join(f"{a.group}-{a.carc} {a.amount}" for a in line.adjustments)
            table.add_row(
                str(line.line),
                line.status + (f" ({line.pend_reason})" if line.pend_reason else ""),
                line.category or "",
                str(line.charge),
                str(line.allowed),
                str(line.member_responsibility),
                str(line.plan_paid),
                adjustments,
            )
        out.print(table)


@claims_app.command("list")
def claims_list(
    member_id: str = typer.Argument(..., help="the member id"),
    as_json: bool = JSON_OPTION,
) -> None:
    """A member's claims, the newest service first: billed, plan paid, what the member owes."""
    claims = use_case(
        lambda uow: eob.member_claims(uow=uow, actor=cli_principal(), member_id=member_id)
    )
    if as_json:
        print_json([c.model_dump(mode="json") for c in claims])
        return
    table = Table("claim", "service", "provider", "status", "billed", "plan paid", "member owes")
    for c in claims:
        span = f"{c.first_service}" + (
            f"..{c.last_service}" if c.last_service != c.first_service else ""
        )
        table.add_row(
            c.id,
            span,
            c.provider_name or c.provider_npi or "-",
            c.status,
            str(c.charge),
            str(c.plan_paid),
            str(c.member_responsibility),
        )
    out.print(table)


@claims_app.command("eob")
def claims_eob(
    claim_id: str = typer.Argument(..., help="the claim id as submitted (CLM01)"),
    npi: str | None = typer.Option(None, "--npi", help="the submitting provider's NPI"),
    output: Path | None = typer.Option(
        None, "--out", help="where to write the PDF (default: eob-ID-VERSION.pdf here)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the EOB as JSON, write no PDF"),
) -> None:
    """The claim's explanation of benefits as the PDF a member gets (to mail or send)."""
    found = use_case(
        lambda uow: eob.claim_eob(uow=uow, actor=cli_principal(), claim_id=claim_id, npi=npi)
    )
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    target = output or Path(f"eob-{found.claim_id}-{found.version}.pdf")
    target.write_bytes(eob_pdf_bytes(found))
    err.print(
        f"EOB of claim {found.claim_id} for {found.member_id}: billed {found.charge}, plan paid "
        f"{found.plan_paid}, member owes {found.member_responsibility} -> {target}",
        markup=False,
        soft_wrap=True,
    )


EOB_INDEX_COLUMNS = (
    "file", "member_id", "patient", "subscriber", "claim", "version", "received", "processed",
    "billed", "plan_paid", "member_owes",
)  # fmt: skip


@claims_app.command("eobs")
def claims_eobs(
    employer: str = typer.Option(..., "--employer", help="the employer (EIN)"),
    since: str = typer.Option(..., "--since", help="first day decided, YYYY-MM-DD"),
    until: str = typer.Option(..., "--until", help="last day decided, YYYY-MM-DD"),
    folder: Path = typer.Option(Path("eobs"), "--out", help="the folder to write into"),
) -> None:
    """An EOB run: the PDF EOB of every claim of the employer's members decided in the window,
    and index.csv (one row per EOB) for the mail house."""
    first, last = _day(since, "since"), _day(until, "until")
    assert first is not None and last is not None
    employer_id = _employer_id(employer)
    assert employer_id is not None
    window = (_midnight(first), _midnight(last + timedelta(days=1)))
    keys = use_case(
        lambda uow: eob.processed_claims(
            uow=uow, actor=cli_principal(), employer_id=employer_id, since=window[0],
            until=window[1],
        )
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    with application() as aso, progress() as bar:
        task = bar.add_task("EOBs", total=len(keys))
        for key in keys:
            try:
                found = eob.claim_eob_by_key(uow=aso.uow(), actor=cli_principal(), key=key)
            except AsoError as exc:
                report_error(exc, 1)
            name = f"eob-{found.member_id}-{found.claim_id}-{found.version}.pdf"
            (folder / name).write_bytes(eob_pdf_bytes(found))
            rows.append(_index_row(name, found))
            bar.advance(task)
    with (folder / "index.csv").open("w", newline="", encoding="utf-8") as index:
        writer = csv.DictWriter(index, fieldnames=EOB_INDEX_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    err.print(f"{len(rows)} EOB(s) and index.csv -> {folder}", markup=False, soft_wrap=True)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _index_row(name: str, found: EobRead) -> dict[str, object]:
    return {
        "file": name,
        "member_id": found.member_id,
        "patient": found.patient,
        "subscriber": found.subscriber,
        "claim": found.claim_id,
        "version": found.version,
        "received": found.received.isoformat(),
        "processed": found.processed.isoformat(),
        "billed": found.charge,
        "plan_paid": found.plan_paid,
        "member_owes": found.member_responsibility,
    }


@claims_app.command("estimate")
def claims_estimate(
    member_id: str = typer.Argument(..., help="the member id"),
    procedure: str | None = typer.Option(None, "--procedure", help="CPT, HCPCS or CDT code"),
    category: str | None = typer.Option(None, "--category", help="benefit category"),
    npi: str | None = typer.Option(None, "--npi", help="the provider (its contract prices it)"),
    network: str | None = typer.Option(None, "--network", help="in or out, without an NPI"),
    charge: str | None = typer.Option(None, "--charge", help="what the provider will bill"),
    on: str | None = typer.Option(None, "--date", help="day of the service (default today)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """What the plan would pay and the member would owe for one service (nothing is stored)."""
    fields = {
        "procedure": procedure,
        "category": category,
        "npi": npi,
        "network": network,
        "charge": charge,
        "service_date": on,
    }
    try:
        request = EstimateRequest.model_validate({k: v for k, v in fields.items() if v})
    except ValidationError as exc:
        report_error(_model_problems(exc), 2)
    found = use_case(
        lambda uow: estimate(uow=uow, actor=cli_principal(), member_id=member_id, request=request)
    )
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    where = found.provider_name or found.provider_npi or f"{found.network}-network provider"
    assumed = " (the contract price)" if found.charge_assumed else ""
    out.print(
        f"{found.service} at {where} ({found.network} network) on {found.service_date}: "
        f"{found.status}",
        markup=False,
    )
    table = Table("", "amount", show_header=False)
    for name, amount in (
        (f"billed{assumed}", found.charge),
        ("allowed", found.allowed),
        ("plan pays", found.plan_pays),
        ("deductible", found.deductible),
        ("copay", found.copay),
        ("coinsurance", found.coinsurance),
        ("not covered", found.not_covered),
        ("balance bill", found.balance_bill),
        ("member pays", found.you_pay),
    ):
        table.add_row(name, str(amount))
    out.print(table)
    for note in found.notes:
        out.print(f"{note.code}: {note.text}", markup=False)
    err.print(found.disclaimer, markup=False)


# examiner work ----------------------------------------------------------------------------------

LINE_OPTION = typer.Option([], "--line", help="a line number (repeat for several)")
NPI_OPTION = typer.Option(None, "--npi", help="the submitting provider's NPI")


@claims_app.command("pended")
def claims_pended(
    reason: str | None = typer.Option(
        None, "--reason", help="pend reason: high_dollar, suspect_duplicate, no_price, data_error"
    ),
    employer: str | None = EMPLOYER_OPTION,
    older_than: int | None = typer.Option(
        None, "--older-than", min=0, help="received more than this many days ago"
    ),
    limit: int = typer.Option(500, "--limit", min=1, help="at most this many claims"),
    as_json: bool = JSON_OPTION,
) -> None:
    """The pend queue: pended claims with their pended lines, oldest first."""
    employer_id = _employer_id(employer)
    queue = use_case(
        lambda uow: pend_queue(
            uow=uow,
            actor=cli_principal(),
            reason=reason,
            employer_id=employer_id,
            older_than_days=older_than,
            limit=limit,
        )
    )
    if as_json:
        print_json([claim.model_dump(mode="json") for claim in queue])
        return
    if not queue:
        out.print("no pended claim")
        return
    table = Table("claim", "employer", "member", "received", "age", "lines pended", "charge")
    for claim in queue:
        reasons = ", ".join(f"{x.line}: {x.pend_reason}" for x in claim.lines)
        table.add_row(
            claim.id,
            claim.employer_ein or "",
            claim.member_id,
            str(claim.received),
            f"{claim.age_days} d",
            reasons,
            str(claim.charge),
        )
    out.print(table)


@claims_app.command("release")
def claims_release(
    claim_id: str = typer.Argument(..., help="the claim id as submitted (CLM01)"),
    lines: list[int] = LINE_OPTION,
    note: str = typer.Option("", "--note", help="the examiner's note"),
    npi: str | None = NPI_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Release pended lines (all of them by default) to be paid; the claim is adjudicated
    again in its place in the family's history."""
    request = ReleaseRequest(lines=lines, note=note)
    _decide(release, claim_id, request, npi, as_json)


@claims_app.command("deny")
def claims_deny(
    claim_id: str = typer.Argument(..., help="the claim id as submitted (CLM01)"),
    carc: str = typer.Option(..., "--carc", help="the Claim Adjustment Reason Code"),
    reason: str = typer.Option(..., "--reason", help="why (required, audit-logged)"),
    lines: list[int] = LINE_OPTION,
    group: str | None = typer.Option(
        None, "--group", help="CO, PR, OA or PI (by default the CARC's group)"
    ),
    npi: str | None = NPI_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Deny lines (all of them by default) with a CARC and a reason."""
    try:
        request = DenyRequest.model_validate(
            {"lines": lines, "carc": carc, "group": group, "reason": reason}
        )
    except ValidationError as exc:
        report_error(_model_problems(exc))
    _decide(deny, claim_id, request, npi, as_json)


@claims_app.command("override")
def claims_override(
    claim_id: str = typer.Argument(..., help="the claim id as submitted (CLM01)"),
    line: int = typer.Option(..., "--line", help="the line number"),
    allowed: str = typer.Option(..., "--allowed", help="the allowed amount, e.g. 120.00"),
    reason: str = typer.Option(..., "--reason", help="why (required, audit-logged)"),
    npi: str | None = NPI_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set a line's allowed amount in place of its price, with a reason."""
    try:
        request = OverrideRequest.model_validate(
            {"line": line, "allowed": _amount(allowed), "reason": reason}
        )
    except ValidationError as exc:
        report_error(_model_problems(exc))
    _decide(override, claim_id, request, npi, as_json)


def _decide(
    decision: Callable[..., DecisionResult],
    claim_id: str,
    request: ReleaseRequest | DenyRequest | OverrideRequest,
    npi: str | None,
    as_json: bool,
) -> None:
    """Run an examiner's decision on the claim and print the claim as it now stands."""
    result = use_case(
        lambda uow: decision(
            uow=uow, actor=cli_principal(), claim_id=claim_id, request=request, npi=npi
        )
    )
    _print_decision(result, as_json)


def _print_decision(result: DecisionResult, as_json: bool) -> None:
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_claim(result.claim)
    if result.listed_for_reprocessing:
        listed = ", ".join(result.listed_for_reprocessing)
        out.print(f"listed for reprocessing (their cost share changes): {listed}", markup=False)


@claims_app.command("reprocess")
def claims_reprocess(
    employer: str | None = EMPLOYER_OPTION,
    list_only: bool = typer.Option(False, "--list", help="only list the claims waiting"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Reprocess the claims listed after corrections and decisions: each family from its
    earliest listed claim, writing every claim whose result changes."""
    employer_id = _employer_id(employer)
    if list_only:
        listed = use_case(
            lambda uow: reprocessing(uow=uow, actor=cli_principal(), employer_id=employer_id)
        )
        if as_json:
            print_json([row.model_dump(mode="json") for row in listed])
            return
        table = Table("claim", "employer", "member", "why", "listed")
        for row in listed:
            table.add_row(
                row.id,
                row.employer_ein or "",
                row.member_id,
                row.cause,
                f"{row.listed_at:%Y-%m-%d}",
            )
        out.print(table if listed else "no claim is listed for reprocessing")
        return
    report = use_case(
        lambda uow: reprocess(uow=uow, actor=cli_principal(), employer_id=employer_id)
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    written = ", ".join(report.claims_written) or "none changed"
    out.print(
        f"reprocessed {report.listings_closed} listed claim(s) of {report.families} "
        f"family(ies); new versions: {written}",
        markup=False,
    )


# accumulators -----------------------------------------------------------------------------------


@accumulators_app.command("show")
def accumulators_show(
    member: str = typer.Argument(..., help="the member id"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Deductible and out-of-pocket used and remaining, per group, plan period and network."""
    found = use_case(
        lambda uow: service.member_accumulators(uow=uow, actor=cli_principal(), member_id=member)
    )
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    _print_balances(found)


def _print_balances(found: MemberAccumulatorsRead) -> None:
    table = Table(
        "scope",
        "member",
        "group",
        "period",
        "network",
        "deductible",
        "remaining",
        "oop",
        "remaining",
    )
    for row in found.balances:
        table.add_row(
            row.scope,
            row.member_id,
            row.group,
            f"{row.period_start}..{row.period_end}",
            row.network,
            _of(row.deductible, row.deductible_limit),
            _money(row.deductible_remaining),
            _of(row.out_of_pocket, row.out_of_pocket_limit),
            _money(row.out_of_pocket_remaining),
        )
    out.print(table)


def _of(used: Decimal, limit: Decimal | None) -> str:
    return f"{used:.2f}" if limit is None else f"{used:.2f} of {limit:.2f}"


def _money(amount: Decimal | None) -> str:
    return "-" if amount is None else f"{amount:.2f}"


@accumulators_app.command("rebuild")
def accumulators_rebuild(
    verify: bool = typer.Option(
        False, "--verify", help="only compare with the running totals; change nothing"
    ),
    employer: str | None = EMPLOYER_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute every member and family total from the stored entries and adjustments.

    With --verify, list each running total that differs and exit 1 if any does; without it,
    replace the running totals by the recomputed ones and list what changed.
    """
    employer_id = _employer_id(employer)
    with application() as aso:
        try:
            report = service.rebuild_accumulators(
                uow=aso.uow(), actor=cli_principal(), employer_id=employer_id, verify=verify
            )
        except AsoError as exc:
            report_error(exc, 2)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        _print_rebuild(report)
    if verify and report.differences:
        raise typer.Exit(1)


def _print_rebuild(report: RebuildReport) -> None:
    for d in report.differences:
        err.print(
            f"{d.scope} {d.member_id} {d.kind} {d.group} {d.network} "
            f"{d.period_start}..{d.period_end}: running {d.running}, from entries {d.recomputed}",
            markup=False,
            highlight=False,
        )
    count = len(report.differences)
    if report.verified_only:
        verdict = "all agree" if not count else f"{count} difference(s)"
        out.print(f"verified {report.totals} total(s) against the entries: {verdict}")
    else:
        out.print(f"rebuilt {report.totals} total(s) from the entries; {count} repaired")


@accumulators_app.command("adjust")
def accumulators_adjust(
    member: str = typer.Argument(..., help="the member id"),
    kind: str = typer.Option(..., "--kind", help="deductible or out_of_pocket"),
    amount: str = typer.Option(..., "--amount", help="dollars; negative takes an amount off"),
    reason: str = typer.Option(..., "--reason", help="why (required): e.g. met with prior carrier"),
    network: str = typer.Option("in", "--network", help="in or out"),
    line: Line = typer.Option(Line.MEDICAL, "--line", help="line of coverage of the plan"),
    on: str | None = typer.Option(None, "--date", help="the date it counts on (today)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a deductible or out-of-pocket amount by hand; it counts like any entry."""
    fields: dict[str, Any] = {
        "member_id": member,
        "kind": kind,
        "amount": _amount(amount),
        "reason": reason,
        "network": network,
        "line": line,
        "effective": _day(on, "date"),
    }
    try:
        data = AccumulatorAdjustmentCreate.model_validate(fields)
    except ValidationError as exc:
        report_error(_model_problems(exc), 2)
    made = use_case(lambda uow: add_adjustment(uow=uow, actor=cli_principal(), data=data))
    if as_json:
        print_json(made.model_dump(mode="json"))
        return
    out.print(
        f"adjustment {made.id}: {made.kind} {made.amount:+.2f} {made.network}-network for "
        f"{made.member_id} in {made.group} {made.period_start}..{made.period_end} "
        f"({made.reason}; by {made.created_by})",
        markup=False,
    )


@accumulators_app.command("adjustments")
def accumulators_adjustments(
    member: str = typer.Argument(..., help="the member id"), as_json: bool = JSON_OPTION
) -> None:
    """A member's accumulator adjustments."""
    found = use_case(lambda uow: list_adjustments(uow=uow, actor=cli_principal(), member_id=member))
    if as_json:
        print_json([row.model_dump(mode="json") for row in found])
        return
    table = Table("id", "date", "kind", "network", "amount", "group", "reason", "by")
    for row in found:
        table.add_row(
            str(row.id),
            str(row.effective),
            row.kind,
            row.network,
            f"{row.amount:.2f}",
            row.group,
            row.reason,
            row.created_by,
        )
    out.print(table)


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        report_error(ValidationFailed([Problem("amount", f"{text!r} is not an amount")]), 2)


# authorizations ---------------------------------------------------------------------------------


@auth_app.command("add")
def auth_add(
    number: str = typer.Option(..., "--number", help="the authorization number"),
    member: str = typer.Option(..., "--member", help="the member id"),
    start: str = typer.Option(..., "--start", help="first day covered, YYYY-MM-DD"),
    end: str = typer.Option(..., "--end", help="last day covered, YYYY-MM-DD"),
    category: list[str] = typer.Option([], "--category", help="a service category (repeat)"),
    procedure: list[str] = typer.Option([], "--procedure", help="a procedure code (repeat)"),
    units: str | None = typer.Option(None, "--units", help="units approved per line"),
    status: str = typer.Option("approved", "--status", help="approved, pending, denied"),
    note: str | None = typer.Option(None, "--note"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a prior authorization."""
    fields: dict[str, Any] = {
        "number": number,
        "member_id": member,
        "start": _day(start, "start"),
        "end": _day(end, "end"),
        "categories": category,
        "procedures": procedure,
        "units": None if units is None else _amount(units),
        "status": status,
        "note": note,
    }
    try:
        data = AuthorizationCreate.model_validate(fields)
    except ValidationError as exc:
        report_error(_model_problems(exc), 2)
    made = use_case(lambda uow: add_authorization(uow=uow, actor=cli_principal(), data=data))
    _print_authorizations([made], as_json)


@auth_app.command("list")
def auth_list(
    member: str | None = typer.Option(None, "--member", help="only this member's"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Prior authorizations, of one member or all."""
    found = use_case(
        lambda uow: list_authorizations(uow=uow, actor=cli_principal(), member_id=member)
    )
    _print_authorizations(found, as_json)


@auth_app.command("set-status")
def auth_set_status(
    number: str = typer.Argument(..., help="the authorization number"),
    status: str = typer.Argument(..., help="approved, pending, denied or cancelled"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Approve, deny or cancel an authorization."""
    changed = use_case(
        lambda uow: set_authorization_status(
            uow=uow, actor=cli_principal(), number=number, status=status
        )
    )
    _print_authorizations([changed], as_json)


def _print_authorizations(rows: list[AuthorizationRead], as_json: bool) -> None:
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table("number", "member", "from", "to", "covers", "units", "status")
    for row in rows:
        covers = ", ".join([*row.categories, *row.procedures]) or "any service"
        table.add_row(
            row.number,
            row.member_id,
            str(row.start),
            str(row.end),
            covers,
            "-" if row.units is None else str(row.units),
            row.status,
        )
    out.print(table)
