"""Claim intake's checks before anything is stored (no database): structural errors name the
claim, line and field; what a scenario may carry but a submission may not; fingerprints that
see through spelling but not through content."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aso.claims.intake import fingerprint, parse_submission
from aso.claims.parsing import parse_claim
from aso.errors import ValidationFailed


def document(claim_id: str = "C1", **line_fields: Any) -> dict[str, Any]:
    line = {"date": "2026-02-01", "charge": Decimal("180.00"), "category": "lab", **line_fields}
    return {"id": claim_id, "member": "M123", "network": "in", "received": "2026-03-01",
            "lines": [line]}  # fmt: skip


def problems(documents: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_submission(documents)
    return {p.where: p.message for p in caught.value.problems}


def test_one_claim_or_a_list() -> None:
    assert [s.claim.id for s in parse_submission(document())] == ["C1"]
    assert [s.claim.id for s in parse_submission([document("A"), document("B")])] == ["A", "B"]
    assert problems([]) == {"claims": "no claim in the request"}


def test_every_problem_of_every_claim_is_named() -> None:
    found = problems(
        [
            document("A", category="massage"),
            document("B", charge="-5"),
            document("C", date="2026-02-31"),
            document("D", pos=11),
            {**document("E"), "received": "03/01/2026"},
        ]
    )
    assert found == {
        "claims[A].lines[1].category": "unknown category 'massage'",
        "claims[B].lines[1].charge": "must be >= 0",
        "claims[C].lines[1].date": "'2026-02-31' is not a date (YYYY-MM-DD)",
        "claims[D].lines[1].pos": 'must be a string (quote it: pos: "11")',
        "claims[E].received": "'03/01/2026' is not a date (YYYY-MM-DD)",
    }


def test_a_submission_carries_no_examiner_release_and_fits_the_columns() -> None:
    found = problems(
        [document("A", release=["high_dollar"]), {**document("B" * 51), "member": "M" * 41}]
    )
    assert found["claims[A].lines[1].release"] == "only an examiner releases a pended line"
    assert found[f"claims[{'B' * 51}].id"] == "at most 50 characters"
    assert found[f"claims[{'B' * 51}].member"] == "at most 40 characters"


def test_the_same_claim_twice_in_a_request_must_say_the_same() -> None:
    assert len(parse_submission([document(), document()])) == 2
    assert problems([document(), document(charge="190.00")]) == {
        "claims[C1].id": "sent twice with different content"
    }


def test_fingerprints_see_through_spelling_not_content() -> None:
    plain = fingerprint(parse_claim(document()))
    assert fingerprint(parse_claim(document(charge="180"))) == plain
    assert fingerprint(parse_claim(document(charge=180, units="1.0"))) == plain
    assert fingerprint(parse_claim(document(charge="180.01"))) != plain
    assert fingerprint(parse_claim(document(prior_auth="PA1"))) != plain
