"""The providers CSV: the directory and each provider's contracts, one contract per row.

Columns (header on line 1, any order, any case)::

    npi,tin,name,taxonomy,kind,address1,city,state,zip,network,contract_start,contract_end,
    fee_schedule

and optionally ``address2`` and ``network_name`` (a new network's name; its code otherwise).
``network``, ``contract_start``, ``contract_end`` and ``fee_schedule`` may be left out of the
header for a file of providers without contracts.

- A provider is identified by its NPI. Its other fields describe it whole: re-importing with a
  changed name, TIN, taxonomy, kind or address updates it. A provider with several contracts
  has several rows, whose provider fields must agree.
- ``network`` blank: the row is the provider alone. Given: the row is a contract with that
  network (created on first use) from ``contract_start`` to ``contract_end`` (the last day in
  effect; blank = open ended), priced by ``fee_schedule``, an in-network schedule already
  imported (``aso fees import``).
- A contract is identified by provider, network and ``contract_start``: the same row again
  changes nothing, a changed ``contract_end`` or ``fee_schedule`` updates it. Contracts of one
  provider in one network never overlap: to renew with new terms, end the current contract
  (its row with a ``contract_end``) and add a row starting the day after. Contracts on file
  that the file does not mention are kept as they are.

:func:`parse_providers` checks the whole file without a database; :func:`file_problems`
checks it against what is on file. Every problem is ``row N, column: why``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aso.claims.domain import Network
from aso.employers.domain import Address, address_problems
from aso.errors import Problem
from aso.providers.csvfile import Cells, CsvRow, read_table, row_number
from aso.providers.domain import (
    ProviderRecord,
    Span,
    normalize_kind,
    normalize_network_code,
    normalize_npi,
    normalize_schedule_code,
    normalize_taxonomy,
    normalize_tin,
    parse_day,
)

PROVIDER_COLUMNS: tuple[str, ...] = (
    "npi", "tin", "name", "taxonomy", "kind", "address1", "city", "state", "zip",
)  # fmt: skip
CONTRACT_COLUMNS: tuple[str, ...] = ("network", "contract_start", "contract_end", "fee_schedule")
OPTIONAL_COLUMNS: tuple[str, ...] = (*CONTRACT_COLUMNS, "address2", "network_name")
ALL_COLUMNS: tuple[str, ...] = (*PROVIDER_COLUMNS, *OPTIONAL_COLUMNS)

_COMPARED = ("tin", "name", "taxonomy", "kind", "address1", "address2", "city", "state", "zip")


@dataclass(frozen=True, slots=True)
class ContractRow:
    row: int
    npi: str
    network: str
    span: Span
    schedule: str


@dataclass(frozen=True, slots=True)
class ContractOnFile:
    npi: str
    network: str
    span: Span
    schedule: str


@dataclass
class ParsedProviders:
    providers: dict[str, ProviderRecord] = field(default_factory=dict)
    """By NPI, from the NPI's first row."""
    first_row: dict[str, int] = field(default_factory=dict)
    contracts: list[ContractRow] = field(default_factory=list)
    network_names: dict[str, str] = field(default_factory=dict)
    schedule_refs: list[tuple[int, str]] = field(default_factory=list)
    """(row, fee schedule code) of every row naming a well-formed one, rejected rows too, so
    that an unknown schedule is reported along with the row's other problems."""
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0


def parse_providers(text: str) -> ParsedProviders:
    """Read and check a whole providers file; nothing stops at the first problem."""
    parsed = ParsedProviders()
    table = read_table(text, required=PROVIDER_COLUMNS, optional=OPTIONAL_COLUMNS)
    parsed.problems += table.problems
    parsed.row_count = table.row_count
    cells_seen: dict[str, Mapping[str, str]] = {}
    for row in table.rows:
        _read_row(row, parsed, cells_seen)
    _check_contracts(parsed)
    parsed.problems.sort(key=row_number)
    return parsed


def _read_row(
    row: CsvRow, parsed: ParsedProviders, cells_seen: dict[str, Mapping[str, str]]
) -> None:
    cells = Cells(row, parsed.problems)
    record = _provider(cells)
    contract = _contract(cells, record.npi if record else None, parsed.schedule_refs)
    network_name = cells.text("network_name", max_length=200)
    if record is None or not cells.ok:
        return
    if record.npi in parsed.providers:
        _same_provider(cells, record, parsed.first_row[record.npi], cells_seen[record.npi])
    else:
        parsed.providers[record.npi] = record
        parsed.first_row[record.npi] = row.number
        cells_seen[record.npi] = _normalized_cells(record)
    if contract is not None:
        parsed.contracts.append(contract)
        if network_name:
            known = parsed.network_names.setdefault(contract.network, network_name)
            if known != network_name:
                cells.problem("network_name", f"{contract.network} is named {known!r} above")


def _provider(cells: Cells) -> ProviderRecord | None:
    npi = cells.parse("npi", normalize_npi, required=True)
    tin = cells.parse("tin", normalize_tin, required=True)
    name = cells.text("name", required=True)
    taxonomy = cells.parse("taxonomy", normalize_taxonomy, required=True)
    kind = cells.parse("kind", normalize_kind, required=True)
    address = Address(
        cells.raw("address1"),
        cells.raw("city"),
        cells.raw("state").upper(),
        cells.raw("zip"),
        cells.raw("address2") or None,
    )
    for problem in address_problems(address):
        cells.problem(problem.where, problem.message)
    for column, limit in (("address1", 120), ("address2", 120), ("city", 80)):
        cells.text(column, max_length=limit)
    if not (npi and tin and name and taxonomy and kind):
        return None
    return ProviderRecord(npi, tin, name, taxonomy, kind, address)


def _contract(cells: Cells, npi: str | None, refs: list[tuple[int, str]]) -> ContractRow | None:
    network = cells.parse("network", normalize_network_code)
    if not cells.raw("network"):
        for column in ("contract_start", "contract_end", "fee_schedule", "network_name"):
            if cells.raw(column):
                cells.problem(column, "given without a network")
        return None
    start = cells.parse("contract_start", parse_day, required=True)
    end = cells.parse("contract_end", parse_day)
    schedule = cells.parse("fee_schedule", normalize_schedule_code, required=True)
    if schedule is not None:
        refs.append((cells.row.number, schedule))
    if start and end and end < start:
        cells.problem("contract_end", f"before contract_start {start}")
        return None
    if npi is None or network is None or start is None or schedule is None:
        return None
    return ContractRow(cells.row.number, npi, network, Span(start, end), schedule)


def _normalized_cells(record: ProviderRecord) -> dict[str, str]:
    a = record.address
    return {
        "tin": record.tin,
        "name": record.name,
        "taxonomy": record.taxonomy,
        "kind": record.kind.value,
        "address1": a.address1,
        "address2": a.address2 or "",
        "city": a.city,
        "state": a.state,
        "zip": a.zip,
    }


def _same_provider(
    cells: Cells, record: ProviderRecord, first: int, seen: Mapping[str, str]
) -> None:
    """Rows of one NPI must describe the provider the same way."""
    mine = _normalized_cells(record)
    for column in _COMPARED:
        if mine[column] != seen[column]:
            cells.problem(column, f"differs from row {first} for the same NPI ({seen[column]!r})")


def _check_contracts(parsed: ParsedProviders) -> None:
    """The file's contracts: each once, and none overlapping another of the same provider
    in the same network."""
    by_pair: dict[tuple[str, str], list[ContractRow]] = defaultdict(list)
    for contract in parsed.contracts:
        earlier = by_pair[(contract.npi, contract.network)]
        for other in earlier:
            if other.span.start == contract.span.start:
                parsed.problems.append(
                    _at(contract, "contract_start", f"the same contract as row {other.row}")
                )
                break
            if other.span.overlaps(contract.span):
                parsed.problems.append(
                    _at(
                        contract,
                        "contract_start",
                        f"overlaps the contract on row {other.row} "
                        f"({contract.network} {other.span.describe()})",
                    )
                )
                break
        earlier.append(contract)


def file_problems(
    parsed: ParsedProviders,
    *,
    schedules: Mapping[str, Network],
    on_file: Sequence[ContractOnFile],
) -> list[Problem]:
    """What is wrong with the file given what is on file: the fee schedules it names
    (``schedules``: code -> network status of every schedule) and the contracts on file of
    its providers, which its new contracts must not overlap."""
    problems: list[Problem] = []
    for row, code in parsed.schedule_refs:
        status = schedules.get(code)
        if status is None:
            why = f"no fee schedule {code} (import it first: aso fees import)"
        elif status is not Network.IN:
            why = f"{code} is an out-of-network reference schedule, not a contract's"
        else:
            continue
        problems.append(Problem(f"row {row}, fee_schedule", why))
    in_file = {(c.npi, c.network, c.span.start) for c in parsed.contracts}
    kept: dict[tuple[str, str], list[ContractOnFile]] = defaultdict(list)
    for existing in on_file:
        if (existing.npi, existing.network, existing.span.start) not in in_file:
            kept[(existing.npi, existing.network)].append(existing)
    for contract in parsed.contracts:
        for existing in kept.get((contract.npi, contract.network), ()):
            if existing.span.overlaps(contract.span):
                problems.append(
                    _at(
                        contract,
                        "contract_start",
                        f"overlaps the contract on file with {contract.network} "
                        f"({existing.span.describe()}, {existing.schedule}): end that one "
                        "first (its row with a contract_end)",
                    )
                )
                break
    return problems


def _at(contract: ContractRow, column: str, message: str) -> Problem:
    return Problem(f"row {contract.row}, {column}", message)
