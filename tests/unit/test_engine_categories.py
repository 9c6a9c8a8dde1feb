"""Service categories from codes (DESIGN 6.2): the rules table kept as data."""

from __future__ import annotations

import pytest

from aso.claims.categories import CategoryRules, Patterns, default_rules, derive_category
from aso.claims.domain import ClaimType, Network, Provider
from tests.unit.engine_builders import claim, line


@pytest.mark.parametrize(
    ("pattern", "code", "matches"),
    [
        ("D0100-D1999", "D0120", True),
        ("D0100-D1999", "D2000", False),
        ("F10-F19", "F1020", True),
        ("F10-F19", "F20", False),
        ("045*", "0450", True),
        ("045*", "0460", False),
        ("207R00000X", "207R00000X", True),
        ("207R00000X", "207RC0000X", False),
        ("70000-79999", "A0427", False),
    ],
)
def test_patterns(pattern: str, code: str, matches: bool) -> None:
    assert Patterns.parse([pattern]).match(code) is matches


def derive(
    procedure: str | None = None,
    *,
    kind: ClaimType = ClaimType.PROFESSIONAL,
    taxonomy: str | None = None,
    pos: str | None = None,
    revenue_code: str | None = None,
    ndc: str | None = None,
    type_of_bill: str | None = None,
    diagnoses: tuple[str, ...] = (),
) -> str:
    built = claim(
        "C1",
        "S1",
        line(procedure=procedure, pos=pos, revenue_code=revenue_code, ndc=ndc),
        kind=kind,
        provider=Provider(Network.IN, taxonomy=taxonomy),
        type_of_bill=type_of_bill,
        diagnoses=diagnoses,
    )
    formulary = {"00093715301": "rx_generic"}
    category, _ = derive_category(built, built.lines[0], formulary, default_rules())
    return category


def test_the_shipped_table_loads_and_ends_with_a_catch_all() -> None:
    rules = default_rules().rules
    assert len(rules) > 30
    assert rules[-1].category == "other_medical"


def test_dental_codes_win_whatever_the_claim_type() -> None:
    assert derive("D2740") == "dental_major"
    assert derive("D8080", kind=ClaimType.DENTAL) == "orthodontia"


def test_place_of_service_wins_over_the_procedure() -> None:
    assert derive("99213", pos="23", taxonomy="207Q00000X") == "emergency_room"


def test_preventive_needs_a_screening_diagnosis() -> None:
    assert derive("99395", diagnoses=("Z0000",), taxonomy="207Q00000X") == "preventive"
    assert derive("99395", diagnoses=("E119",), taxonomy="207Q00000X") == "office_visit_pcp"


def test_institutional_inpatient_by_principal_diagnosis() -> None:
    kind = ClaimType.INSTITUTIONAL
    assert derive(revenue_code="0450", kind=kind, type_of_bill="131") == "emergency_room"
    assert derive(revenue_code="0450", kind=kind, type_of_bill="111") == "inpatient_hospital"
    assert (
        derive(revenue_code="0124", kind=kind, type_of_bill="111", diagnoses=("F1120",))
        == "substance_use_inpatient"
    )


def test_pharmacy_uses_the_formulary() -> None:
    assert derive(ndc="00093715301", kind=ClaimType.PHARMACY) == "rx_generic"
    assert derive(ndc="00000000001", kind=ClaimType.PHARMACY) == "other_medical"


def test_a_stated_category_is_kept() -> None:
    built = claim("C1", "S1", line(procedure="80053", category="maternity"))
    category, rule = derive_category(built, built.lines[0], {}, default_rules())
    assert (category, rule) == ("maternity", None)


def test_a_broken_rules_table_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        CategoryRules.from_document({"rules": [{"category": "spa"}]})
    with pytest.raises(ValueError, match="must match every line"):
        CategoryRules.from_document({"rules": [{"category": "lab", "procedure": ["80053"]}]})
