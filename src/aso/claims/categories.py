"""Service categories (DESIGN 6.2): a line's stated category, or one derived from its codes.

The derivation rules are data (``aso/codes/category_rules.yaml``): an ordered table of conditions
on code numbers and ranges, the first match winning. Pharmacy lines are categorised first by the
NDC's tier in the pharmacy plan's formulary. Derivations repeat a great deal (the same procedure
from the same kind of provider), so results are memoised on the facts they depend on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from aso.claims.domain import Claim, ClaimLine, ClaimType
from aso.plans.domain import ALL_CATEGORIES
from aso.yamlio import load_yaml_text

_FIELDS = (
    "procedure",
    "revenue_code",
    "type_of_bill",
    "pos",
    "principal_diagnosis",
    "any_diagnosis",
    "taxonomy",
)

Facts = tuple[str, str, str, str, str, tuple[str, ...], str]
"""(claim type, procedure, revenue code, type of bill, place of service, diagnoses, taxonomy)."""


@dataclass(frozen=True, slots=True)
class Patterns:
    """Exact codes, prefixes (``045*``) and inclusive ranges (``F10-F19``)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, patterns: Sequence[str]) -> Patterns:
        exact: set[str] = set()
        prefixes: list[str] = []
        ranges: list[tuple[str, str]] = []
        for pattern in patterns:
            if pattern.endswith("*"):
                prefixes.append(pattern[:-1])
            elif "-" in pattern:
                low, high = pattern.split("-", 1)
                if len(low) != len(high):
                    raise ValueError(f"range {pattern!r}: both ends need the same length")
                ranges.append((low, high))
            else:
                exact.add(pattern)
        return cls(frozenset(exact), tuple(prefixes), tuple(ranges))

    def match(self, code: str) -> bool:
        if not code:
            return False
        if code in self.exact:
            return True
        if any(code.startswith(prefix) for prefix in self.prefixes):
            return True
        return any(low <= code[: len(low)] <= high for low, high in self.ranges)

    def __str__(self) -> str:
        parts = [*sorted(self.exact), *(p + "*" for p in self.prefixes)]
        parts += [f"{low}-{high}" for low, high in self.ranges]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    claim_types: frozenset[str] | None
    conditions: tuple[tuple[str, Patterns], ...]

    def holds(self, facts: Facts) -> bool:
        if self.claim_types is not None and facts[0] not in self.claim_types:
            return False
        return all(_TESTS[name](patterns, facts) for name, patterns in self.conditions)

    def describe(self) -> str:
        parts = [f"{name.replace('_', ' ')} in {patterns}" for name, patterns in self.conditions]
        if self.claim_types is not None:
            parts.insert(0, f"{'/'.join(sorted(self.claim_types))} claim")
        return "; ".join(parts) or "no other rule matched"


_TESTS: dict[str, Callable[[Patterns, Facts], bool]] = {
    "procedure": lambda p, f: p.match(f[1]),
    "revenue_code": lambda p, f: p.match(f[2]),
    "type_of_bill": lambda p, f: p.match(f[3]),
    "pos": lambda p, f: p.match(f[4]),
    "principal_diagnosis": lambda p, f: bool(f[5]) and p.match(f[5][0]),
    "any_diagnosis": lambda p, f: any(p.match(code) for code in f[5]),
    "taxonomy": lambda p, f: p.match(f[6]),
}


class CategoryRules:
    """The ordered rules table, with memoised derivation."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._memo: dict[Facts, Rule] = {}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CategoryRules:
        rules = []
        for index, raw in enumerate(document["rules"]):
            unknown = set(raw) - {"category", "claim_types", *_FIELDS}
            if unknown:
                raise ValueError(f"category rule {index + 1}: unknown {sorted(unknown)}")
            if raw["category"] not in ALL_CATEGORIES:
                raise ValueError(f"category rule {index + 1}: unknown category {raw['category']}")
            types = raw.get("claim_types")
            rules.append(
                Rule(
                    category=raw["category"],
                    claim_types=None if types is None else frozenset(types),
                    conditions=tuple(
                        (name, Patterns.parse(raw[name])) for name in _FIELDS if name in raw
                    ),
                )
            )
        if rules[-1].claim_types is not None or rules[-1].conditions:
            raise ValueError("the last category rule must match every line")
        return cls(rules)

    def rule_for(self, facts: Facts) -> Rule:
        rule = self._memo.get(facts)
        if rule is None:
            rule = next(r for r in self.rules if r.holds(facts))
            if len(self._memo) > 200_000:
                self._memo.clear()
            self._memo[facts] = rule
        return rule


def line_facts(claim: Claim, line: ClaimLine) -> Facts:
    return (
        claim.type.value,
        line.procedure or "",
        line.revenue_code or "",
        claim.type_of_bill or "",
        line.pos or "",
        claim.diagnoses,
        claim.provider.taxonomy or "",
    )


@cache
def default_rules() -> CategoryRules:
    """The rules shipped in ``aso/codes/category_rules.yaml`` (read once)."""
    text = files("aso.codes").joinpath("category_rules.yaml").read_text(encoding="utf-8")
    return CategoryRules.from_document(load_yaml_text(text))


def derive_category(
    claim: Claim, line: ClaimLine, formulary: Mapping[str, str], rules: CategoryRules
) -> tuple[str, Rule | None]:
    """The line's category, and the table rule that gave it (None when stated or by formulary)."""
    if line.category is not None:
        return line.category, None
    if claim.type is ClaimType.PHARMACY and line.ndc is not None:
        tier = formulary.get(line.ndc)
        if tier is not None:
            return tier, None
    rule = rules.rule_for(line_facts(claim, line))
    return rule.category, rule


def describe_derivation(line: ClaimLine, category: str, rule: Rule | None) -> str:
    """How the category was found, for the explanation trace."""
    if line.category is not None:
        return f"Category {category}: stated on the line."
    if rule is None:
        return f"Category {category}: NDC {line.ndc} is on the plan's formulary in that tier."
    return f"Category {category}: derived from the codes ({rule.describe()})."
