"""Stored claims and results as engine values, and engine results as rows to store.

The batch reads and writes hundreds of thousands of lines, so these work on plain tuples:
money leaves the database as integer cents and becomes ``Decimal`` dollars here (and back),
never through a float. An engine claim's id is the claim's database id as a string (public
claim ids repeat across submitters and corrections); ``replaces`` likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from aso.claims.domain import (
    AccumulatorEntry,
    Adjustment,
    Claim,
    ClaimLine,
    ClaimResult,
    ClaimStatus,
    ClaimType,
    Frequency,
    Group,
    Kind,
    LineResult,
    LineStatus,
    Network,
    Provider,
)
from aso.plans.domain import Line

Row = tuple[Any, ...]

DATA_ERROR = "data_error"
"""Pend reason of a claim the batch could not adjudicate (the version's note says why)."""

CLAIM_STATUS_STORED = {
    ClaimStatus.PAID: "approved",
    ClaimStatus.DENIED: "denied",
    ClaimStatus.PENDED: "pended",
    ClaimStatus.VOIDED: "voided",
}
"""The engine's ``paid`` is ``approved`` until a payment releases the claim (DESIGN 3)."""
CLAIM_STATUS_ENGINE = {
    "approved": ClaimStatus.PAID,
    "paid": ClaimStatus.PAID,
    "denied": ClaimStatus.DENIED,
    "pended": ClaimStatus.PENDED,
    "voided": ClaimStatus.VOIDED,
}


VALUE: dict[Enum, str] = {
    member: str(member.value)
    for kind in (LineStatus, Network, Group, Kind, ClaimStatus, Line)
    for member in kind
}
"""An engine enum's value, looked up (``.value`` is a property: slow a million times over)."""


def dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cents(amount: Decimal) -> int:
    """Dollars (already rounded to cents where computed) as integer cents."""
    scaled = amount * 100
    whole = int(scaled)
    if whole != scaled:
        raise ValueError(f"{amount} is not a whole number of cents")
    return whole


def join_codes(codes: Iterable[str]) -> str:
    return ",".join(codes)


def split_codes(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


# claims ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class StoredClaim:
    """A claim row with its lines, as the batch needs it."""

    pk: int
    number: str
    employer_id: int | None
    member_id: int | None
    family_id: int | None
    status: str
    version: int
    frequency: int
    replaces_id: int | None
    claim: Claim
    """The engine's claim: the member by its canonical number (as sent when unknown), the
    provider as the directory knows it (as stated when its NPI is not on file)."""


CLAIM_COLUMNS = (
    "id",
    "claim_number",
    "employer_id",
    "member_id",
    "family_id",
    "status",
    "current_version",
    "member_number",
    "type",
    "provider_npi",
    "provider_network",
    "provider_taxonomy",
    "provider_kind",
    "received",
    "diagnoses",
    "type_of_bill",
    "facility_network",
    "frequency",
    "replaces_id",
)
LINE_COLUMNS = (
    "claim_id",
    "line",
    "service_date",
    "category",
    "procedure",
    "modifiers",
    "pos",
    "revenue_code",
    "ndc",
    "tooth",
    "units_e4",
    "charge_cents",
    "allowed_cents",
    "usual_and_customary_cents",
    "prior_auth",
    "emergency",
)


def claim_line(row: Row, units: Callable[[int], Decimal], day: Callable[[Any], date]) -> ClaimLine:
    """A ``LINE_COLUMNS`` row (money as cents, the date as the driver gives it) as the
    engine's line."""
    (_, number, served, category, procedure, modifiers, pos, revenue, ndc, tooth, units_e4,
     charge, allowed, usual, auth, emergency) = row  # fmt: skip
    return ClaimLine(
        number=number,
        date=day(served),
        charge=money(charge),
        category=category,
        procedure=procedure,
        modifiers=split_codes(modifiers),
        pos=pos,
        revenue_code=revenue,
        ndc=ndc,
        tooth=tooth,
        units=units(units_e4),
        allowed=dollars(allowed),
        prior_auth=auth,
        emergency=bool(emergency),
        usual_and_customary=dollars(usual),
    )


class ClaimReader:
    """Builds engine claims from rows: the member by its canonical number when known, the
    provider as ``provider`` resolves it (the directory's, when its NPI is on file), each
    distinct provider built once."""

    def __init__(
        self,
        members: Mapping[int, str],
        provider: Callable[[Provider], Provider],
        day: Callable[[Any], date],
    ) -> None:
        self.members = members
        self.resolve = provider
        self.day = day
        self.providers: dict[Row, Provider] = {}

    def claim(self, row: Row, lines: Sequence[ClaimLine]) -> StoredClaim:
        """A ``CLAIM_COLUMNS`` row and its lines as a ``StoredClaim``."""
        (pk, number, employer_id, member_id, family_id, status, version, member, kind, npi,
         network, taxonomy, provider_kind, received, diagnoses, bill, facility, frequency,
         replaces) = row  # fmt: skip
        if member_id is not None:
            member = self.members.get(member_id, member)
        key = (network, npi, taxonomy, provider_kind)
        provider = self.providers.get(key)
        if provider is None:
            stated = Provider(Network(network), npi, taxonomy, provider_kind)
            provider = self.providers[key] = self.resolve(stated)
        claim = Claim(
            id=str(pk),
            member=member,
            provider=provider,
            received=self.day(received),
            lines=tuple(lines),
            type=ClaimType(kind),
            diagnoses=split_codes(diagnoses),
            type_of_bill=bill,
            facility_network=None if facility is None else Network(facility),
            frequency=Frequency(frequency),
            replaces=None if replaces is None else str(replaces),
        )
        return StoredClaim(
            pk=pk,
            number=number,
            employer_id=employer_id,
            member_id=member_id,
            family_id=family_id,
            status=status,
            version=version,
            frequency=frequency,
            replaces_id=replaces,
            claim=claim,
        )


def data_error_result(claim: Claim) -> ClaimResult:
    """A claim the batch could not adjudicate: every line pended, nothing accumulated."""
    lines = tuple(
        LineResult(
            line=line.number,
            status=LineStatus.PENDED,
            category=line.category,
            charge=line.charge,
            pend_reason=DATA_ERROR,
        )
        for line in claim.lines
    )
    return ClaimResult(claim.id, claim.member, ClaimStatus.PENDED, lines)


# results --------------------------------------------------------------------------------------

RESULT_COLUMNS = (
    "version_id",
    "line",
    "status",
    "category",
    "pend_reason",
    "plan_id",
    "network",
    "charge_cents",
    "allowed_cents",
    "copay_cents",
    "deductible_cents",
    "coinsurance_cents",
    "not_covered_cents",
    "balance_bill_cents",
    "plan_paid_cents",
    "member_responsibility_cents",
    "remarks",
)
ADJUSTMENT_COLUMNS = ("version_id", "line", "seq", "group_code", "carc", "amount_cents")


def result_rows(
    version_id: int,
    lines: Sequence[LineResult],
    plan_ids: Mapping[str, int],
    results: list[Row],
    adjustments: list[Row],
) -> None:
    """Append the rows of one version's line results and their adjustments."""
    for line in lines:
        number = line.line
        copay = cents(line.copay) if line.copay else 0
        deductible = cents(line.deductible) if line.deductible else 0
        coinsurance = cents(line.coinsurance) if line.coinsurance else 0
        not_covered = cents(line.not_covered) if line.not_covered else 0
        results.append(
            (
                version_id,
                number,
                VALUE[line.status],
                line.category,
                line.pend_reason,
                None if line.plan is None else plan_ids.get(line.plan),
                None if line.network is None else VALUE[line.network],
                cents(line.charge),
                cents(line.allowed) if line.allowed else 0,
                copay,
                deductible,
                coinsurance,
                not_covered,
                cents(line.balance_bill) if line.balance_bill else 0,
                cents(line.plan_paid) if line.plan_paid else 0,
                copay + deductible + coinsurance + not_covered,
                join_codes(line.remarks),
            )
        )
        for seq, adjustment in enumerate(line.adjustments, start=1):
            adjustments.append(
                (
                    version_id,
                    number,
                    seq,
                    VALUE[adjustment.group],
                    adjustment.carc,
                    cents(adjustment.amount),
                )
            )


def line_result(
    row: Row, adjustments: Sequence[Adjustment], plan_names: Mapping[int, str]
) -> LineResult:
    """A ``RESULT_COLUMNS`` row (without ``version_id``) as the engine's line result."""
    (number, status, category, pend_reason, plan_id, network, charge, allowed, copay, deductible,
     coinsurance, not_covered, balance_bill, plan_paid, _, remarks) = row  # fmt: skip
    return LineResult(
        line=number,
        status=LineStatus(status),
        category=category,
        charge=money(charge),
        allowed=money(allowed),
        copay=money(copay),
        deductible=money(deductible),
        coinsurance=money(coinsurance),
        not_covered=money(not_covered),
        balance_bill=money(balance_bill),
        plan_paid=money(plan_paid),
        adjustments=tuple(adjustments),
        remarks=split_codes(remarks),
        pend_reason=pend_reason,
        plan=None if plan_id is None else plan_names.get(plan_id),
        network=None if network is None else Network(network),
    )


def adjustment(group: str, carc: str, amount_cents: int) -> Adjustment:
    return Adjustment(Group(group), carc, money(amount_cents))


# accumulator entries --------------------------------------------------------------------------

ENTRY_COLUMNS = (
    "id",
    "version_id",
    "claim_id",
    "line",
    "reversal_of",
    "member_id",
    "family_id",
    "plan_id",
    "coverage",
    "accumulator_group",
    "network",
    "kind",
    "category",
    "amount_cents",
    "service_date",
    "period_start",
    "period_end",
)

EntryKey = tuple[Any, ...]


def entry_key(entry: AccumulatorEntry, amount: Decimal) -> EntryKey:
    """What pairs a reversal (with ``-amount``) with the entry it cancels."""
    return (
        entry.claim,
        entry.line,
        entry.member,
        entry.kind,
        amount,
        entry.service_date,
        entry.period_start,
        entry.plan,
        entry.group,
        entry.network,
        entry.category,
    )


def engine_entry(
    *,
    claim: str,
    line: int,
    member: str,
    family: str,
    kind: str,
    amount_cents: int,
    service_date: date,
    period: tuple[date, date],
    plan: str,
    coverage: str,
    group: str,
    network: str | None,
    category: str,
    reversed_by: str | None,
) -> AccumulatorEntry:
    return AccumulatorEntry(
        claim=claim,
        line=line,
        member=member,
        family=family,
        kind=Kind(kind),
        amount=money(amount_cents),
        service_date=service_date,
        period_start=period[0],
        period_end=period[1],
        plan=plan,
        coverage=Line(coverage),
        group=group,
        network=None if network is None else Network(network),
        category=category,
        reversed_by=reversed_by,
    )
