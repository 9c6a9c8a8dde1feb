"""Cost shares in words, as an ID card prints them."""

from __future__ import annotations

from decimal import Decimal

from aso.plans.domain import Benefit, CostShare
from aso.plans.templates import get_template
from aso.plans.wording import benefit_words, cost_share_words


def test_cost_shares_read_as_words() -> None:
    assert cost_share_words(CostShare(copay=Decimal(25))) == "$25 copay"
    assert cost_share_words(CostShare(coinsurance=Decimal("0.2"), deductible=True)) == (
        "20% after deductible"
    )
    assert cost_share_words(
        CostShare(copay=Decimal(250), coinsurance=Decimal("0.2"), deductible=True)
    ) == ("$250 copay + 20% after deductible")
    assert cost_share_words(CostShare()) == "No charge"
    assert cost_share_words(CostShare(copay=Decimal("7.50"))) == "$7.50 copay"
    assert cost_share_words(CostShare(allowance=Decimal(150))) == "$150 allowance"


def test_benefits_of_a_template() -> None:
    ppo = get_template("PPO1500").benefits
    assert benefit_words(ppo["office_visit_pcp"]) == "$25 copay"
    assert benefit_words(ppo["emergency_room"]) == "$250 copay + 20% after deductible"
    assert benefit_words(ppo["bariatric_surgery"]) == "Not covered"
    rx = get_template("RX-4TIER").benefits
    assert benefit_words(rx["rx_non_preferred_brand"]) == "30% ($60 min, $150 max)"
    assert benefit_words(None) == "Not covered"
    assert benefit_words(Benefit.model_validate({"out": {"coinsurance": 0.4}})) == (
        "Out of network only"
    )
