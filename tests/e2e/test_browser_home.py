"""The signed-in pages in Debian's headless chromium: each role sees its own scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from aso.api.app import create_app
from aso.bootstrap import App
from aso.config import Settings
from aso.synth.demo import DemoResult, build_demo
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DemoResult]]:
    var: Path = tmp_path_factory.mktemp("browser-var")
    settings = Settings(var_dir=var, ssn_key=Fernet.generate_key().decode(), database_url="")
    app = App(settings=settings)
    app.migrate()
    result = build_demo(app, employees=20)
    with LiveServer(create_app(app)) as server:
        yield server.url, result
    app.engine.dispose()


def _sign_in(browser: Any, url: str, result: DemoResult, username: str) -> Any:
    password = next(x.password for x in result.logins if x.username == username)
    page = browser.new_page()
    page.goto(url + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_signing_in_is_required_and_a_wrong_password_is_refused(
    browser: Any, demo_site: tuple[str, DemoResult]
) -> None:
    url, _ = demo_site
    page = browser.new_page()
    page.goto(url + "/")
    assert page.url.endswith("/login")
    page.fill("#username", "demo-admin")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "wrong username or password" in page.locator(".error").inner_text()
    page.close()


def test_the_administrator_sees_every_employer(
    browser: Any, demo_site: tuple[str, DemoResult]
) -> None:
    url, result = demo_site
    page = _sign_in(browser, url, result, "demo-admin")
    assert page.locator("section.employer").count() == 2
    northwind = page.locator("section.employer", has_text="Northwind Tools")
    assert northwind.locator(".subscribers").inner_text() == "20"
    plans = northwind.locator("table.plans").inner_text()
    assert "PPO1500" in plans and "LTD60" in plans
    page.click("text=Sign out")
    assert page.url.endswith("/login")
    page.close()


def test_an_employer_user_sees_only_its_employer_and_no_names(
    browser: Any, demo_site: tuple[str, DemoResult]
) -> None:
    url, result = demo_site
    page = _sign_in(browser, url, result, "demo-harbor")
    text = page.locator("main").inner_text()
    assert "Harbor Bakery" in text
    assert "Northwind" not in text
    assert page.locator("section.member").count() == 0
    page.click("text=Funding and invoices")
    page.wait_for_load_state()
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect[fill='#0b6e4f']").count() >= 1  # admin fees invoiced
    assert page.locator("table.invoices tbody tr").count() >= 1
    assert page.locator("table.requests tbody tr").count() >= 1
    with page.expect_download() as invoice:
        page.locator("table.invoices a", has_text="PDF").first.click()
    assert invoice.value.suggested_filename.endswith(".pdf")
    page.close()


def test_a_member_sees_its_family_coverage(browser: Any, demo_site: tuple[str, DemoResult]) -> None:
    url, result = demo_site
    member = next(x for x in result.logins if x.username == "demo-member")
    page = _sign_in(browser, url, result, "demo-member")
    cards = page.locator("section.member")
    assert cards.count() >= 1
    first = cards.first.inner_text()
    assert member.note.split()[-1] in first  # its own member id
    assert "medical" in first
    assert "Harbor" not in page.locator("main").inner_text()
    page.close()
