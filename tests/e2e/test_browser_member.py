"""A member's pages in Debian's headless chromium: the family's claims and deductible progress
bars on the home page, a child's explanation of benefits opened from it with the amounts of its
adjudication, the PDF downloaded from it, and another family's claim refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from aso.api.app import create_app
from aso.bootstrap import App
from aso.config import Settings
from aso.members.service import member_pk_by_public_id
from aso.security.domain import Role
from aso.security.service import create_user
from tests.e2e.conftest import LiveServer
from tests.integration.claims_builders import adjudicate, build_world, claim, line, submit
from tests.integration.providers_builders import import_samples

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    var: Path = tmp_path_factory.mktemp("member-var")
    settings = Settings(var_dir=var, ssn_key=Fernet.generate_key().decode(), database_url="")
    app = App(settings=settings)
    app.migrate()
    import_samples(app)
    world = build_world(app, app.uow())
    submit(
        app.uow(),
        claim("CY1", world.cy,
              line("2026-02-01", 180, category="office_visit_pcp", procedure="99213", allowed=110),
              line("2026-02-01", 300, category="lab", procedure="80053", allowed=200)),
        claim("DEE1", world.dee, line("2026-02-03", 90, category="lab", allowed=60)),
    )  # fmt: skip
    adjudicate(app.uow())
    member = member_pk_by_public_id(uow=app.uow(), member_id=world.ann)
    create_user(
        uow=app.uow(), username="ann", password=PASSWORD, role=Role.MEMBER, member_id=member
    )
    create_user(uow=app.uow(), username="exam", password=PASSWORD, role=Role.EXAMINER)
    with app.uow() as uow:
        dee_claim = uow.session.execute(
            text("SELECT id FROM claims WHERE claim_number = 'DEE1'")
        ).scalar_one()
    with LiveServer(create_app(app)) as server:
        yield server.url, dee_claim
    app.engine.dispose()


def test_a_parent_follows_its_childs_claim_to_the_eob(
    browser: Any, site: tuple[str, int], tmp_path: Path
) -> None:
    url, other_family_claim = site
    page = browser.new_page()
    page.goto(url + "/login")
    page.fill("#username", "ann")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    cards = page.locator("section.member")
    assert cards.count() == 2  # Ann and her minor child Cy; not her adult spouse
    cy = cards.filter(has_text="Cy Lee")
    cy_id = cy.locator("h2 .muted").inner_text().split("·")[1].strip()
    bar = cy.get_by_role("progressbar", name="Deductible (you)")
    assert bar.get_attribute("aria-valuenow") == "200.00"
    assert bar.locator("span").get_attribute("style") == "width: 13%"
    assert "$200.00 of $1,500.00 met" in cy.locator(".meters").inner_text()
    assert cy.locator(".meters-title").inner_text() == "PPO 1500, Pharmacy 4-tier (with PPO 1500)"
    row = cy.locator("table.claims tbody tr")
    assert row.count() == 1
    assert "$480.00" in row.inner_text() and "$85.00" in row.inner_text()

    with page.expect_download() as card:
        cy.locator("a.id-card").click()
    assert card.value.suggested_filename == f"id-card-{cy_id}.pdf"

    row.get_by_text("Explanation of benefits").click()
    page.wait_for_load_state()
    assert "THIS IS NOT A BILL" in page.inner_text("main")
    assert page.inner_text("dd.patient").startswith("Cy Lee")
    assert page.inner_text(".summary .you-owe") == "$225.00"
    assert page.locator("table.lines tbody tr").count() == 2
    assert "PR-1\nDeductible amount. You may owe" in page.inner_text("dl.notes")
    with page.expect_download() as waiting:
        page.click("a.pdf")
    saved = tmp_path / "eob.pdf"
    waiting.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    refused = page.goto(f"{url}/eob/{other_family_claim}")
    assert refused is not None and refused.status == 404
    assert "Diaz" not in page.inner_text("main")


def test_a_parent_estimates_a_visit_for_its_child(browser: Any, site: tuple[str, int]) -> None:
    url, _ = site
    page = browser.new_page()
    page.goto(url + "/login")
    page.fill("#username", "ann")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.click("text=Estimate a cost")
    page.wait_for_load_state()
    page.click("form.estimate button")  # neither a procedure nor a kind of service
    assert "procedure: give a procedure code or a benefit category" in page.inner_text(".problems")
    page.select_option("#member", label="Cy Lee")
    page.fill("#procedure", "99213")
    page.select_option("#npi", "1234567893")
    page.click("form.estimate button")
    page.wait_for_load_state()
    result = page.locator("section.result")
    assert "99213 (Office visit PCP)" in result.locator("h2").inner_text()
    assert "Ann Lee MD" in result.locator("h2").inner_text()
    assert result.locator(".you-pay").inner_text() == "$25.00"
    assert result.locator(".plan-pays").inner_text() == "$70.00"
    assert "An estimate, not a promise of payment" in result.inner_text()
    assert page.locator("#member").input_value() != ""  # the form keeps what was asked


def _signed_in(browser: Any, url: str, username: str) -> Any:
    page = browser.new_page()
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_a_parent_appeals_and_an_examiner_decides(browser: Any, site: tuple[str, int]) -> None:
    url, _ = site
    page = _signed_in(browser, url, "ann")
    page.locator("section.member", has_text="Cy Lee").get_by_text("Explanation of benefits").click()
    page.wait_for_load_state()
    page.click("form.appeal button")  # no reason given
    assert "reason" in page.inner_text("section.appeals .error")
    page.fill("#reason", "The visit was a covered checkup.")
    page.click("form.appeal button")
    page.wait_for_load_state()
    assert "Your appeal is filed" in page.inner_text("section.appeals")
    assert page.inner_text("table.appeals td.status") == "open"
    assert page.locator("form.appeal").count() == 0  # one open appeal per claim
    page.close()

    desk = _signed_in(browser, url, "exam")
    desk.click("header >> text=Appeals")
    row = desk.locator("table.appeal-queue tbody tr", has_text="Cy Lee")
    assert "due in 30 days" in row.inner_text()
    row.locator("select[name=outcome]").select_option("upheld")
    row.locator("input[name=note]").fill("Billed correctly under the plan.")
    row.locator("form.decide button").click()
    desk.wait_for_load_state()
    assert "is decided" in desk.inner_text(".notice")
    assert desk.locator("table.appeal-queue tbody tr", has_text="Cy Lee").count() == 0
    desk.close()
