"""The TPA's identity is configuration (``ASO_TPA_*``, ``aso.config.TpaIdentity``): what a release
sends (the ACH file's origin, the 835's interchange sender and EDI contact) and the funding request
it bills with name the TPA that runs the platform, and bad values are refused naming the
variable."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from aso.bootstrap import App
from aso.config import Settings, get_settings
from aso.db.uow import UnitOfWork
from aso.payments.documents import request_pdf_bytes
from aso.payments.nacha_check import check_nacha
from aso.payments.service import get_funding_request
from aso.security.domain import SYSTEM
from tests.integration.claims_builders import ClaimsWorld, build_world
from tests.integration.payments_builders import (
    adjudicated,
    clinic_bank,
    deposit,
    files_of,
    funding_account,
    release,
    run,
    visit,
)
from tests.integration.providers_builders import import_samples
from tests.unit.x834_builders import pyx12_findings

IDENTITY = {
    "ASO_TPA_NAME": "Lakeshore Benefit Services",
    "ASO_TPA_ADDRESS": "9 Harbor Road | Duluth, MN 55802",
    "ASO_TPA_BILLING_CONTACT": "ar@lakeshore.example",
    "ASO_TPA_INTERCHANGE_QUALIFIER": "30",
    "ASO_TPA_INTERCHANGE_ID": "411234567",
    "ASO_TPA_EDI_CONTACT": "LAKESHORE EDI",
    "ASO_TPA_EDI_EMAIL": "edi@lakeshore.example",
    "ASO_TPA_ACH_ORIGIN": "1411234567",
}


@pytest.fixture
def lakeshore(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def world(app: App, uow: UnitOfWork) -> ClaimsWorld:
    import_samples(app)
    found = build_world(app, uow)
    funding_account(uow, found)
    return found


def test_what_a_release_sends_names_the_configured_tpa(
    lakeshore: None, app: App, uow: UnitOfWork, world: ClaimsWorld, tmp_path: Path
) -> None:
    clinic_bank(app, uow)
    adjudicated(uow, visit("V-1", world.ann, 125))
    cycle = run(uow, world)
    request = get_funding_request(uow=uow, actor=SYSTEM, number=cycle.number)
    pdf = PdfReader(io.BytesIO(request_pdf_bytes(request)))
    assert pdf.metadata is not None and pdf.metadata.author == "Lakeshore Benefit Services"
    first_page = pdf.pages[0].extract_text()
    assert "9 Harbor Road" in first_page and "Duluth, MN 55802" in first_page
    deposit(uow, world, "100.00", reference=cycle.number)
    released = release(app, uow, cycle.number)
    assert released.eft == 1
    found = files_of(uow, released.batch or "")
    ach = next(text for name, text in found.items() if name.endswith(".ach"))
    assert check_nacha(ach) == []
    header = ach.splitlines()[0]
    assert header[13:23] == "1411234567"
    assert header[63:86] == "LAKESHORE BENEFIT SERVI"
    (name, remittance), *_ = [(n, t) for n, t in found.items() if n.endswith(".x12")]
    assert remittance[:106][32:50] == "30*411234567      "
    assert "*411234567*" in remittance.split("~")[1]  # GS02
    assert "PER*BL*LAKESHORE EDI*EM*edi@lakeshore.example~" in remittance
    assert pyx12_findings(remittance, tmp_path, name) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tpa_interchange_qualifier", "XX", "is not an ISA id qualifier"),
        ("tpa_interchange_id", "lower case", "1 to 15 upper-case letters"),
        ("tpa_interchange_id", "A" * 16, "1 to 15 upper-case letters"),
        ("tpa_ach_origin", "12345", "10 digits"),
        ("tpa_name", "", "at least 1 character"),
    ],
)
def test_a_bad_identity_is_refused_naming_the_setting(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{field: value})  # type: ignore[arg-type]
    assert field in str(refused.value) and message in str(refused.value)
