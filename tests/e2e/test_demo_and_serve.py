"""``aso demo`` then ``aso serve``, as ``make demo`` runs them: the printed address answers, the
/v1 API answers for the demo employer, Ctrl-C stops the server; a second demo is the same data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port

ASO = shutil.which("aso") or str(Path(sys.executable).with_name("aso"))


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ASO_VAR_DIR": str(var), "ASO_DATABASE_URL": "", "ASO_SSN_KEY": ""})
    return env


def _logins(var: Path) -> dict[str, str]:
    rows = (var / "demo-logins.txt").read_text().splitlines()
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows}


def _members(var: Path) -> list[tuple[str, ...]]:
    import sqlite3

    with sqlite3.connect(var / "aso.db") as db:
        return db.execute(
            "SELECT member_number, first_name, last_name, birth_date, ssn_last4 FROM members"
            " ORDER BY member_number"
        ).fetchall()


def _claim_statuses(var: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(var / "aso.db") as db:
        return {row[0] for row in db.execute("SELECT DISTINCT status FROM claims")}


def test_demo_then_serve_answers_for_the_demo_employer(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = _env(var)
    done = subprocess.run(
        [ASO, "demo", "--employees", "30"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "demo-admin" in done.stderr and "Northwind" in done.stderr
    assert "claims" in done.stderr and "lines adjudicated" in done.stderr
    first = _members(var)
    assert len(first) > 30

    again = subprocess.run(
        [ASO, "demo", "--employees", "30"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert _members(var) == first  # rebuilt from scratch: same seed, same data
    verified = subprocess.run(
        [ASO, "accumulators", "rebuild", "--verify"], env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # months paid by their cycles, the demo's own month still approved and waiting
    assert _claim_statuses(var) == {"paid", "approved", "denied", "pended", "voided"}
    books = subprocess.run(
        [ASO, "ledger", "trial-balance", "--json"], env=env, capture_output=True, text=True
    )
    assert books.returncode == 0, books.stderr
    balance = json.loads(books.stdout)
    assert balance["net"] == "0.00" and balance["total_debit"] == balance["total_credit"]
    accounts = {row["account"] for row in balance["accounts"]}
    assert {"claims_funding_bank", "admin_fees_receivable", "admin_fee_revenue"} <= accounts

    port = free_port()
    server = subprocess.Popen(
        [ASO, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("aso serve did not answer")
                time.sleep(0.2)
        password = _logins(var)["demo-employer"]
        token = httpx.post(
            f"{base}/v1/auth/token", data={"username": "demo-employer", "password": password}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        employers = httpx.get(f"{base}/v1/employers", headers=headers).json()
        assert [e["name"] for e in employers] == ["Northwind Tools, Inc."]
        summary = httpx.get(f"{base}/v1/employers/{employers[0]['id']}/summary", headers=headers)
        assert summary.json()["subscribers"] == 30
        assert httpx.get(f"{base}/v1/employers").status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in stderr
    assert server.returncode in (0, -signal.SIGINT, 130)


def test_the_demo_never_touches_a_database_with_other_employers(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = _env(var)
    created = subprocess.run(
        [ASO, "employers", "create", "--name", "Real Co", "--ein", "311111111", "--address1",
         "1 Main St", "--city", "Columbus", "--state", "OH", "--zip", "43215"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    refused = subprocess.run(
        [ASO, "demo", "--employees", "5"], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2
    assert "holds employers other than the demo's (31-1111111)" in refused.stderr
    assert (var / "aso.db").exists()
