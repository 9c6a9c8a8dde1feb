"""A synthetic provider roster for central Ohio and the demo's fee schedules.

The roster has what a regional network holds: primary care (family and internal medicine,
general practice, pediatrics, family nurse practitioners), the common specialties, behavioral
health, chiropractors and physical therapists, urgent care, labs, imaging centers, hospitals and
surgery centers, ambulance and DME suppliers, retail and specialty pharmacies, dentists,
orthodontists and optometrists. About one in ten is out of network. Every NPI carries a valid
check digit (Luhn with the 80840 prefix, 45 CFR 162.406) and every TIN an EIN prefix the IRS
issues. Names are made up.

The price catalogue is one set of numbers behind both the fee schedules (``demo_fee_schedules``,
the engine's ``FeeSchedule`` values) and the charges the claims generator bills
(``contract_price``): an in-network professional schedule at about 135% of the Medicare-style
fee, an institutional schedule of per diems, case rates and revenue-code rates (about 250% of a
Medicare-style fee, as commercial hospital contracts run), a pharmacy schedule (AWP - 18% + a
$1.75 dispensing fee, MAC for generics), dental and vision schedules, and out-of-network
reference schedules at 150% of the Medicare-style fee (60% of the facility contract, 85% of the
dental one). Where a code has no relative values in ``aso/codes/rvu_sample.csv`` its
Medicare-style fee is taken as the contract price / 1.40.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from aso.claims.domain import ClaimType, Network
from aso.claims.pricing import DrugPrice, FeeSchedule, Rate, RateBasis, default_medicare_fee
from aso.employers.domain import IRS_CAMPUS_PREFIXES
from aso.money import round_cents
from aso.providers.domain import ProviderKind, npi_check_digit
from aso.synth.population import CITIES, FEMALE, LAST, MALE

D = Decimal
IN, OUT = Network.IN, Network.OUT
PROFESSIONAL_SHARE_OF_MEDICARE = D("1.40")
REFERENCE_SHARE_OF_MEDICARE = D("1.50")
FACILITY_REFERENCE_SHARE = D("0.60")
DENTAL_REFERENCE_SHARE = D("0.85")
FACILITY_PERCENT_OF_CHARGE = D("0.45")
FACILITY_REFERENCE_PERCENT_OF_CHARGE = D("0.30")
AWP_DISCOUNT = D("0.18")
DISPENSING_FEE = D("1.75")


@dataclass(frozen=True, slots=True)
class Role:
    """One kind of provider in the roster: its NUCC taxonomy, kind and how many there are."""

    key: str
    taxonomy: str
    kind: ProviderKind
    count: int
    out_of_network: int
    credential: str | None = None
    """Individuals carry a credential (MD, DDS, ...); organisations have none."""
    names: tuple[str, ...] = ()
    """Organisation names, used in turn."""


P, F = ProviderKind.PROFESSIONAL, ProviderKind.FACILITY
ROLES: tuple[Role, ...] = (
    Role("family_medicine", "207Q00000X", P, 14, 1, "MD"),
    Role("internal_medicine", "207R00000X", P, 10, 1, "MD"),
    Role("general_practice", "208D00000X", P, 3, 0, "DO"),
    Role("nurse_practitioner", "363LF0000X", P, 6, 1, "CNP"),
    Role("pediatrics", "208000000X", P, 6, 1, "MD"),
    Role("orthopedics", "207X00000X", P, 5, 1, "MD"),
    Role("cardiology", "207RC0000X", P, 5, 1, "MD"),
    Role("dermatology", "207N00000X", P, 4, 1, "MD"),
    Role("obgyn", "207V00000X", P, 5, 1, "MD"),
    Role("gastroenterology", "207RG0100X", P, 3, 0, "MD"),
    Role("ent", "207Y00000X", P, 2, 0, "MD"),
    Role("ophthalmology", "207W00000X", P, 2, 0, "MD"),
    Role("oncology", "207RX0202X", P, 3, 0, "MD"),
    Role("general_surgery", "208600000X", P, 4, 0, "MD"),
    Role("cardiothoracic_surgery", "208G00000X", P, 2, 0, "MD"),
    Role("psychiatry", "2084P0800X", P, 4, 1, "MD"),
    Role("psychology", "103T00000X", P, 6, 1, "PsyD"),
    Role("chiropractic", "111N00000X", P, 5, 1, "DC"),
    Role("physical_therapy", "225100000X", P, 6, 1, "DPT"),
    Role("radiology", "2085R0202X", P, 4, 1, "MD"),
    Role("hospitalist", "208M00000X", P, 6, 0, "MD"),
    Role("emergency_medicine", "207P00000X", P, 6, 1, "DO"),
    Role("anesthesiology", "207L00000X", P, 5, 1, "MD"),
    Role("neonatology", "2080N0001X", P, 2, 0, "MD"),
    Role(
        "urgent_care", "261QU0200X", P, 5, 1, None,
        ("Buckeye Urgent Care - Hilliard", "Buckeye Urgent Care - Westerville",
         "CareNow Express Grove City", "Olentangy Walk-In Clinic", "Licking County QuickCare"),
    ),
    Role(
        "lab", "291U00000X", P, 3, 0, None,
        ("Central Ohio Reference Laboratory", "Midwest Clinical Labs", "Scioto Pathology Lab"),
    ),
    Role(
        "imaging_center", "261QR0200X", P, 4, 1, None,
        ("Dublin Open MRI", "Polaris Imaging Center", "Grove City Diagnostic Imaging",
         "Newark Advanced Imaging"),
    ),
    Role(
        "hospital", "282N00000X", F, 5, 1, None,
        ("Scioto Valley Medical Center", "Olentangy Regional Hospital",
         "Franklin County Children's Hospital", "Darby Creek Community Hospital",
         "Hocking Valley General Hospital"),
    ),
    Role(
        "surgery_center", "261QA1903X", F, 3, 0, None,
        ("Easton Surgery Center", "Tuttle Crossing Ambulatory Surgery", "Polaris Surgical Suites"),
    ),
    Role(
        "ambulance", "341600000X", P, 3, 1, None,
        ("Franklin County EMS Transport", "Delaware Area Ambulance", "MedRide Central Ohio"),
    ),
    Role(
        "dme", "332B00000X", P, 3, 0, None,
        ("HomeCare Medical Supply", "Capital City DME", "Buckeye Respiratory Services"),
    ),
    Role(
        "pharmacy", "3336C0003X", ProviderKind.PHARMACY, 12, 1, None,
        ("Main Street Pharmacy", "Corner Drug", "HealthMart Westerville", "Dublin Family Pharmacy",
         "Grove City Apothecary", "Kroger-Style Pharmacy #114", "Hilliard Rx", "Newark Drug",
         "Lancaster Pharmacy", "Delaware Community Pharmacy", "Short North Pharmacy",
         "German Village Drug"),
    ),
    Role(
        "specialty_pharmacy", "3336S0011X", ProviderKind.PHARMACY, 2, 0, None,
        ("Ohio Specialty Rx", "Central Specialty Pharmacy Services"),
    ),
    Role("dentist", "1223G0001X", ProviderKind.DENTAL, 14, 2, "DDS"),
    Role("orthodontist", "1223X0400X", ProviderKind.DENTAL, 3, 0, "DDS"),
    Role("optometrist", "152W00000X", ProviderKind.VISION, 8, 1, "OD"),
)  # fmt: skip
PCP_ROLES = ("family_medicine", "internal_medicine", "general_practice", "nurse_practitioner")
PRACTICE_SIZE = 3
"""Individuals bill under the TIN of a practice of about this many."""


@dataclass(frozen=True, slots=True)
class SyntheticProvider:
    """A provider of the roster: identity, network status and how high it bills.

    ``charge_factor`` is the provider's chargemaster level: its billed charge for a service is
    the contract price times this factor (1.6 to 3.0), the same every time, as a real
    chargemaster is.
    """

    npi: str
    tin: str
    name: str
    taxonomy: str
    kind: ProviderKind
    network: Network
    role: str
    city: str
    zip: str
    charge_factor: Decimal

    def claim_provider(self) -> dict[str, str]:
        """The claim's ``provider`` block (DESIGN 7)."""
        return {
            "npi": self.npi,
            "network": self.network.value,
            "taxonomy": self.taxonomy,
            "kind": self.kind.value,
        }


def generate_providers(*, seed: int) -> list[SyntheticProvider]:
    """The roster, role by role; the same seed gives the same providers."""
    rng = random.Random(seed)
    npis: set[str] = set()
    tins: set[str] = set()
    roster: list[SyntheticProvider] = []
    for role in ROLES:
        out = set(rng.sample(range(role.count), role.out_of_network))
        practice_tin = ""
        for index in range(role.count):
            if role.credential is None or index % PRACTICE_SIZE == 0:
                practice_tin = _tin(rng, tins)
            city, _, zip_code = rng.choice(CITIES)
            roster.append(
                SyntheticProvider(
                    npi=_npi(rng, npis, organisation=role.credential is None),
                    tin=practice_tin,
                    name=_name(rng, role, index),
                    taxonomy=role.taxonomy,
                    kind=role.kind,
                    network=OUT if index in out else IN,
                    role=role.key,
                    city=city,
                    zip=zip_code,
                    charge_factor=D(rng.randint(160, 300)) / 100,
                )
            )
    return roster


def _npi(rng: random.Random, used: set[str], *, organisation: bool) -> str:
    """Nine random digits (type 2 organisations often start with 1 or 2, individuals with 1)
    and the Luhn check digit over 80840 + those nine."""
    while True:
        first = rng.choice("12") if organisation else "1"
        body = first + f"{rng.randrange(10**8):08d}"
        npi = body + str(npi_check_digit(body))
        if npi not in used:
            used.add(npi)
            return npi


def _tin(rng: random.Random, used: set[str]) -> str:
    prefixes = sorted(IRS_CAMPUS_PREFIXES)
    while True:
        tin = f"{rng.choice(prefixes)}-{rng.randint(1, 9_999_999):07d}"
        if tin not in used:
            used.add(tin)
            return tin


def _name(rng: random.Random, role: Role, index: int) -> str:
    if role.credential is None:
        return role.names[index % len(role.names)]
    first = rng.choice(FEMALE if rng.random() < 0.5 else MALE)
    return f"{first} {rng.choice(LAST)}, {role.credential}"


# -- the price catalogue -------------------------------------------------------------------------

PROFESSIONAL_RATES: dict[str, str] = {
    # Office visits (explicitly negotiated; 99202-99205 and 99211 fall to the Medicare share).
    "99212": "82.00", "99213": "128.00", "99214": "185.00", "99215": "255.00",
    # Preventive medicine visits without sample relative values.
    "99381": "180.00", "99382": "185.00", "99383": "185.00", "99384": "200.00", "99387": "255.00",
    "99391": "160.00", "99392": "170.00", "99393": "170.00", "99394": "185.00",
    # Emergency department levels below the sampled 99283-99285.
    "99281": "45.00", "99282": "82.00",
    # Hospital and neonatal care.
    "99221": "150.00", "99222": "205.00", "99223": "290.00", "99231": "80.00", "99232": "115.00",
    "99233": "165.00", "99238": "110.00", "99239": "160.00", "99291": "345.00",
    "99468": "1150.00", "99469": "490.00",
    # Lab and pathology.
    "81002": "5.50", "82947": "7.00", "83036": "17.00", "84443": "29.00", "87880": "21.00",
    "87086": "14.00", "88175": "38.00", "87491": "48.00", "88305": "90.00", "80048": "15.00",
    # Imaging: global and professional component (26).
    "73030": "48.00", "73562": "58.00", "72100": "58.00", "73610": "48.00", "76805": "215.00",
    "76815": "125.00", "72148": "560.00", "73721": "540.00", "73721-26": "85.00",
    "73221": "540.00", "73221-26": "85.00", "70553": "860.00", "70553-26": "125.00",
    "74177": "690.00", "74177-26": "115.00", "71250": "390.00", "71250-26": "72.00",
    "70450": "270.00", "78815": "1750.00", "78815-26": "160.00", "77385": "520.00",
    "77263": "280.00",
    # Cardiology.
    "93000": "32.00", "93306": "360.00", "93458": "1250.00", "93798": "110.00",
    # Behavioral health, therapy.
    "90832": "80.00", "90847": "125.00", "97161": "115.00", "97530": "42.00", "98942": "70.00",
    # Procedures and surgery.
    "11102": "118.00", "17000": "72.00", "17110": "112.00", "20610": "95.00", "12001": "160.00",
    "29125": "70.00", "47562": "1150.00", "49505": "880.00", "45380": "520.00",
    "64721": "620.00", "27447": "1700.00", "44970": "1020.00", "33533": "3900.00",
    "42820": "560.00", "58558": "720.00", "19120": "690.00", "63047": "1850.00",
    "22612": "2700.00", "19303": "1500.00", "44204": "2100.00", "43644": "2300.00",
    "59400": "3300.00", "59510": "3750.00", "27236": "1650.00", "49000": "1400.00",
    # Anesthesia, per unit (base + time units).
    "01400": "72.00", "00790": "72.00", "00832": "72.00", "00142": "72.00", "00810": "72.00",
    "01402": "72.00", "00567": "72.00", "01961": "72.00", "01967": "72.00", "00630": "72.00",
    "00402": "72.00", "00840": "72.00", "00170": "72.00", "00400": "72.00", "01230": "72.00",
    # Oncology (infusion at the office is rare here; drugs per billing unit).
    "96413": "280.00", "96415": "62.00", "J9271": "58.00",
    # Ambulance, DME, wellness.
    "A0425": "14.50", "A0429": "470.00", "E0114": "48.00", "E0143": "115.00",
    "S9451": "40.00", "S9449": "55.00",
}  # fmt: skip
"""In-network professional contract, per unit: ``code`` or ``code-modifier``."""

FACILITY_PER_DIEM: dict[str, str] = {
    "0110": "3600.00", "0112": "2900.00", "0120": "3600.00", "0124": "1750.00",
    "0126": "1500.00", "0170": "1100.00", "0174": "7000.00", "0200": "7200.00", "0206": "4900.00",
}  # fmt: skip
"""Room and board per day, by revenue code."""

FACILITY_CASE: dict[str, str] = {
    "0360": "7500.00", "0720": "4600.00", "0481": "5600.00", "0750": "1350.00",
}  # fmt: skip
"""Once per line: operating room, delivery room, cardiac catheterization lab, GI suite."""

FACILITY_UNIT: dict[str, str] = {
    "0250": "42.00", "0258": "28.00", "0270": "55.00", "0272": "68.00", "0300": "33.00",
    "0301": "29.00", "0305": "19.00", "0320": "145.00", "0324": "115.00", "0333": "520.00",
    "0335": "540.00", "0350": "740.00", "0351": "640.00", "0352": "760.00", "0402": "330.00",
    "0403": "200.00", "0420": "135.00", "0450": "1150.00", "0480": "420.00", "0610": "1180.00",
    "0611": "1250.00", "0612": "1200.00", "0614": "1150.00", "0636": "55.00", "0370": "190.00",
    "0710": "360.00", "0730": "75.00", "0760": "95.00", "0762": "110.00", "0943": "120.00",
}  # fmt: skip
"""Per unit, by revenue code (0278 implants and anything unlisted: a percent of charges)."""

FACILITY_PROCEDURE: dict[str, str] = {
    "99282": "750.00", "99283": "1200.00", "99284": "2000.00", "99285": "3100.00",
    "99291": "3200.00", "96413": "540.00", "96415": "120.00", "J9271": "58.00",
    "77385": "520.00",
}  # fmt: skip
"""Outpatient services a facility bills with a HCPCS code: ER levels, infusion, drugs."""

DENTAL_RATES: dict[str, str] = {
    "D0120": "44.00", "D0140": "58.00", "D0150": "76.00", "D0210": "118.00", "D0220": "24.00",
    "D0272": "40.00", "D0274": "60.00", "D0330": "98.00", "D1110": "88.00", "D1120": "64.00",
    "D1206": "32.00", "D1208": "30.00", "D1351": "44.00", "D2140": "118.00", "D2150": "145.00",
    "D2391": "152.00", "D2392": "192.00", "D2740": "1080.00", "D2750": "1010.00",
    "D2950": "240.00", "D3330": "1060.00", "D4341": "215.00", "D4910": "115.00",
    "D7140": "155.00", "D7210": "270.00", "D8080": "5300.00", "D8670": "150.00",
}  # fmt: skip

VISION_RATES: dict[str, str] = {
    "92004": "135.00", "92014": "98.00", "V2100": "48.00", "V2103": "52.00", "V2200": "68.00",
    "V2203": "72.00", "V2300": "95.00", "V2020": "120.00", "V2520": "62.00", "V2521": "78.00",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Drug:
    """A formulary drug as the catalogue prices it: unit AWP, MAC (generics) and a usual fill."""

    ndc: str
    awp: Decimal
    mac: Decimal | None
    quantity: int
    use: str = "maintenance"
    """``maintenance`` (monthly refills), ``acute`` (a short course) or ``specialty``."""


DRUGS: tuple[Drug, ...] = (
    Drug("00093715301", D("2.10"), D("0.35"), 30),
    Drug("00378180110", D("3.00"), D("0.55"), 30),
    Drug("00591540501", D("1.80"), D("0.40"), 20, "acute"),
    Drug("00006027731", D("18.40"), None, 30),
    Drug("00173068220", D("420.00"), None, 1),
    Drug("00169413013", D("980.00"), None, 1),
    Drug("00310028130", D("14.00"), None, 30),
    Drug("00074433902", D("3600.00"), None, 2, "specialty"),
    Drug("55513071001", D("1900.00"), None, 4, "specialty"),
)
"""The NDCs of the template formularies (RX-4TIER, HDHP-RX)."""
DRUG_BY_NDC: dict[str, Drug] = {drug.ndc: drug for drug in DRUGS}


def _split(key: str) -> tuple[str, str | None]:
    code, _, modifier = key.partition("-")
    return code, modifier or None


def _rates(
    table: Mapping[str, str], basis: RateBasis = RateBasis.UNIT, share: Decimal = D(1)
) -> list[Rate]:
    rates = []
    for key, amount in table.items():
        code, modifier = _split(key)
        rates.append(Rate(round_cents(D(amount) * share), basis, code, modifier))
    return rates


def _revenue_rates(share: Decimal = D(1)) -> list[Rate]:
    return [
        Rate(round_cents(D(amount) * share), basis, revenue_code=code)
        for table, basis in (
            (FACILITY_PER_DIEM, RateBasis.PER_DIEM),
            (FACILITY_CASE, RateBasis.CASE),
            (FACILITY_UNIT, RateBasis.UNIT),
        )
        for code, amount in table.items()
    ]


def _reference_professional_rates() -> list[Rate]:
    """150% of the Medicare-style fee for codes without sample relative values (whose
    Medicare-style fee is the contract / 1.40); sampled codes take the schedule's percent."""
    sampled = default_medicare_fee().relative_values
    share = REFERENCE_SHARE_OF_MEDICARE / PROFESSIONAL_SHARE_OF_MEDICARE
    rates = []
    for key, amount in PROFESSIONAL_RATES.items():
        code, modifier = _split(key)
        if (code, modifier or "") not in sampled:
            rates.append(Rate(round_cents(D(amount) * share), RateBasis.UNIT, code, modifier))
    return rates


def demo_fee_schedules() -> list[FeeSchedule]:
    """The demo network's contracts and the plan's out-of-network reference schedules."""
    drugs = tuple(DrugPrice(d.ndc, d.awp, d.mac) for d in DRUGS)
    return [
        FeeSchedule(
            id="DEMO-PROFESSIONAL",
            network=IN,
            rates=tuple(_rates(PROFESSIONAL_RATES)),
            claim_types=frozenset({ClaimType.PROFESSIONAL}),
            percent_of_medicare=PROFESSIONAL_SHARE_OF_MEDICARE,
        ),
        FeeSchedule(
            id="DEMO-FACILITY",
            network=IN,
            rates=(*_rates(FACILITY_PROCEDURE), *_revenue_rates()),
            claim_types=frozenset({ClaimType.INSTITUTIONAL}),
            percent_of_charge=FACILITY_PERCENT_OF_CHARGE,
        ),
        FeeSchedule(
            id="DEMO-PHARMACY",
            network=IN,
            claim_types=frozenset({ClaimType.PHARMACY}),
            awp_discount=AWP_DISCOUNT,
            dispensing_fee=DISPENSING_FEE,
            drugs=drugs,
        ),
        FeeSchedule(
            id="DEMO-DENTAL",
            network=IN,
            rates=tuple(_rates(DENTAL_RATES)),
            claim_types=frozenset({ClaimType.DENTAL}),
        ),
        FeeSchedule(
            id="DEMO-VISION",
            network=IN,
            rates=tuple(_rates(VISION_RATES)),
            claim_types=frozenset({ClaimType.VISION}),
        ),
        FeeSchedule(
            id="REF-PROFESSIONAL",
            network=OUT,
            rates=tuple(_reference_professional_rates()),
            claim_types=frozenset({ClaimType.PROFESSIONAL}),
            percent_of_medicare=REFERENCE_SHARE_OF_MEDICARE,
        ),
        FeeSchedule(
            id="REF-FACILITY",
            network=OUT,
            rates=(
                *_rates(FACILITY_PROCEDURE, share=FACILITY_REFERENCE_SHARE),
                *_revenue_rates(FACILITY_REFERENCE_SHARE),
            ),
            claim_types=frozenset({ClaimType.INSTITUTIONAL}),
            percent_of_charge=FACILITY_REFERENCE_PERCENT_OF_CHARGE,
        ),
        FeeSchedule(
            id="REF-DENTAL",
            network=OUT,
            rates=tuple(_rates(DENTAL_RATES, share=DENTAL_REFERENCE_SHARE)),
            claim_types=frozenset({ClaimType.DENTAL}),
        ),
        FeeSchedule(
            id="REF-VISION",
            network=OUT,
            rates=tuple(_rates(VISION_RATES)),
            claim_types=frozenset({ClaimType.VISION}),
        ),
    ]


@dataclass(frozen=True, slots=True)
class Price:
    """A contract price as a chargemaster is built on it: an amount per unit, or per line."""

    amount: Decimal
    per_line: bool = False


@cache
def _price_table() -> Mapping[tuple[str, str], Price]:
    """(claim type, code or code-modifier or revenue code) -> the in-network contract price."""
    table: dict[tuple[str, str], Price] = {}
    medicare = default_medicare_fee()
    for (code, modifier), rvu in medicare.relative_values.items():
        key = f"{code}-{modifier}" if modifier else code
        amount = round_cents(rvu * medicare.conversion_factor * PROFESSIONAL_SHARE_OF_MEDICARE)
        table[(ClaimType.PROFESSIONAL.value, key)] = Price(amount)
    kinds: list[tuple[ClaimType, Mapping[str, str], bool]] = [
        (ClaimType.PROFESSIONAL, PROFESSIONAL_RATES, False),
        (ClaimType.INSTITUTIONAL, FACILITY_PROCEDURE, False),
        (ClaimType.INSTITUTIONAL, FACILITY_PER_DIEM, False),
        (ClaimType.INSTITUTIONAL, FACILITY_UNIT, False),
        (ClaimType.INSTITUTIONAL, FACILITY_CASE, True),
        (ClaimType.DENTAL, DENTAL_RATES, False),
        (ClaimType.VISION, VISION_RATES, False),
    ]
    for claim_type, rates, per_line in kinds:
        for code, text in rates.items():
            table[(claim_type.value, code)] = Price(D(text), per_line)
    return table


def contract_price(
    claim_type: ClaimType,
    *,
    procedure: str | None = None,
    modifiers: tuple[str, ...] = (),
    revenue_code: str | None = None,
) -> Price | None:
    """The in-network price a line's charge is built on, found as the schedules find it:
    procedure with a modifier, procedure, then revenue code. None: no schedule prices it."""
    table = _price_table()
    kind = claim_type.value
    if procedure is not None:
        for modifier in modifiers:
            found = table.get((kind, f"{procedure}-{modifier}"))
            if found is not None:
                return found
        found = table.get((kind, procedure))
        if found is not None:
            return found
    return None if revenue_code is None else table.get((kind, revenue_code))
