"""The examiner's pages in Debian's headless chromium: the pend queue with its filters, a
claim's page, a release from the page, a refused override showing its message, and a service
representative who sees the claim but no decision forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from aso.api.app import create_app
from aso.bootstrap import App
from aso.config import Settings
from aso.security.domain import Role
from aso.security.service import create_user
from tests.e2e.conftest import LiveServer
from tests.integration.claims_builders import adjudicate, build_world, claim, line, submit

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var: Path = tmp_path_factory.mktemp("examiner-var")
    settings = Settings(var_dir=var, ssn_key=Fernet.generate_key().decode(), database_url="")
    app = App(settings=settings)
    app.migrate()
    world = build_world(app, app.uow())
    submit(
        app.uow(),
        claim("BIG1", world.dee, line("2026-03-01", 60000, category="lab", allowed=40000),
              received="2026-03-05"),
        claim("DUP1", world.bo, line("2026-02-02", 900, category="lab", allowed=800),
              received="2026-02-10"),
        claim("DUP2", world.bo, line("2026-02-02", 950, category="lab", allowed=800),
              received="2026-02-12"),
    )  # fmt: skip
    adjudicate(app.uow())
    for name, role in (("exam", Role.EXAMINER), ("rep", Role.SERVICE_REP)):
        create_user(uow=app.uow(), username=name, password=PASSWORD, role=role)
    with LiveServer(create_app(app)) as server:
        yield server.url
    app.engine.dispose()


def _sign_in(browser: Any, url: str, username: str) -> Any:
    page = browser.new_page()
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_the_examiner_works_the_pend_queue(browser: Any, site: str) -> None:
    page = _sign_in(browser, site, "exam")
    page.click("text=Pend queue")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert "DUP2" in rows.nth(0).inner_text()  # oldest first
    page.select_option("select[name=reason]", "high_dollar")
    page.click("form.filters button")
    assert page.locator("table.queue tbody tr").count() == 1
    page.click("text=BIG1")
    assert "pended" in page.locator("h1 .status").inner_text()

    page.fill("form.override input[name=line]", "1")
    page.fill("form.override input[name=allowed]", "99999.00")
    page.fill("form.override input[name=reason]", "typo")
    page.click("form.override button")
    assert "more than the charge" in page.locator(".error").inner_text()
    assert "pended" in page.locator("h1 .status").inner_text()  # nothing changed

    page.fill("form.release input[name=note]", "reviewed the bill")
    page.click("form.release button")
    assert "approved" in page.locator("h1 .status").inner_text()
    assert "release" in page.locator("section.version").first.inner_text()
    page.goto(site + "/work/pended")
    assert page.locator("table.queue tbody tr").count() == 1
    page.close()


def test_a_service_rep_reads_claims_without_decision_forms(browser: Any, site: str) -> None:
    page = _sign_in(browser, site, "rep")
    assert page.locator("text=Pend queue").count() == 0
    page.goto(site + "/work/pended")
    assert "only administrators and claims examiners" in page.locator(".error").inner_text()
    page.close()


def test_a_service_rep_finds_a_caller_and_reads_her_family(browser: Any, site: str) -> None:
    page = _sign_in(browser, site, "rep")
    page.click("header >> text=Members")
    page.fill("#q", "lee bo")
    page.click("form.search button")
    page.wait_for_load_state()
    found = page.locator("table.found tbody tr")
    assert found.count() == 1 and "Lee, Bo" in found.inner_text()
    found.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Family of Ann Lee")
    assert page.locator("section.member").count() == 3  # staff see the whole family
    bo = page.locator("section.member", has_text="Bo Lee")
    claims = bo.locator("table.claims tbody tr")
    assert claims.count() == 2  # DUP1 and DUP2
    claims.first.locator("a", has_text="Claim").click()
    page.wait_for_load_state()
    assert "DUP" in page.locator("h1").inner_text()
    page.goto(site + "/members?q=")
    assert page.locator("table.found").count() == 0
    page.close()
