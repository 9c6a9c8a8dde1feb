"""The loops of each HIPAA 005010 implementation guide the reader knows (ASC X12 TR3s).

Only what places a segment in its loop is written down: each loop's trigger segment and
qualifiers, and its inner loops. Loop ids are the guides' (2000A, 2010BA, 2300, 2400, ...), so
a finding names the loop as the 999 does (IK303). ``LS``/``LE`` wrap loops of the 834 and 271:
an ``LS`` opens them (it keeps the loop id that holds it) and the ``LE`` closes them.
"""

from __future__ import annotations

from aso.edi.loops import Guide, Loop, loop

PROVIDERS_837P = {
    "2310": "DN P3:A 82:B 77:C DQ:D PW:E 45:F",
    "2330": "IL:A PR:B DN P3:C 82:D 77:E DQ:F 85:G",
    "2420": "82:A QB:B 77:C DQ:D DK:E DN P3:F PW:G 45:H",
}
PROVIDERS_837I = {
    "2310": "71:A 72:B ZZ:C 82:D 77:E DN:F",
    "2330": "IL:A PR:B 71:C 72:D ZZ:E 77:F 82:G DN:H 85:I",
    "2420": "72:A ZZ:B 82:C DN:D",
}
PROVIDERS_837D = {
    "2310": "DN P3:A 82:B 77:C DD:D",
    "2330": "IL:A PR:B DN P3:C 82:D DD:E 77:F 85:G",
    "2420": "82:A DD:B 77:C",
}


def _names(prefix: str, spec: str) -> tuple[Loop, ...]:
    """``NM1`` loops from ``"DN P3:A 82:B"``: qualifiers, a colon, the loop id's letter."""
    loops = []
    qualifiers: list[str] = []
    for word in spec.split():
        code, _, letter = word.partition(":")
        qualifiers.append(code)
        if letter:
            loops.append(loop(prefix + letter, "NM1", qualifiers=" ".join(qualifiers)))
            qualifiers = []
    return tuple(loops)


def _claim_837(providers: dict[str, str], line_loops: tuple[Loop, ...]) -> Loop:
    other_payer = loop("2320", "SBR", *_names("2330", providers["2330"]))
    line = loop("2400", "LX", *line_loops, *_names("2420", providers["2420"]))
    return loop("2300", "CLM", *_names("2310", providers["2310"]), other_payer, line)


def _837(reference: str, name: str, claim: Loop) -> Guide:
    patient = loop("2000C", "HL", loop("2010CA", "NM1", qualifiers="QC"), claim, qualifiers="23")
    subscriber = loop(
        "2000B",
        "HL",
        loop("2010BA", "NM1", qualifiers="IL"),
        loop("2010BB", "NM1", qualifiers="PR"),
        claim,
        patient,
        qualifiers="22",
    )
    billing = loop(
        "2000A",
        "HL",
        loop("2010AA", "NM1", qualifiers="85"),
        loop("2010AB", "NM1", qualifiers="87"),
        loop("2010AC", "NM1", qualifiers="PE"),
        subscriber,
        qualifiers="20",
    )
    root = loop(
        "HEADER",
        "ST",
        loop("1000A", "NM1", qualifiers="41"),
        loop("1000B", "NM1", qualifiers="40"),
        billing,
    )
    return Guide(reference, "837", name, root, frozenset({"20", "22", "23"}))


X222A1 = _837(
    "005010X222A1",
    "837P Health Care Claim: Professional",
    _claim_837(
        PROVIDERS_837P,
        (
            loop("2410", "LIN"),
            loop("2430", "SVD"),
            loop("2440", "LQ"),
        ),
    ),
)
X223A2 = _837(
    "005010X223A2",
    "837I Health Care Claim: Institutional",
    _claim_837(PROVIDERS_837I, (loop("2410", "LIN"), loop("2430", "SVD"))),
)
X224A2 = _837(
    "005010X224A2",
    "837D Health Care Claim: Dental",
    _claim_837(PROVIDERS_837D, (loop("2430", "SVD"),)),
)

X220A1 = Guide(
    "005010X220A1",
    "834",
    "834 Benefit Enrollment and Maintenance",
    loop(
        "HEADER",
        "ST",
        loop("1000A", "N1", qualifiers="P5"),
        loop("1000B", "N1", qualifiers="IN"),
        loop("1000C", "N1", loop("1100C", "ACT"), qualifiers="BO TV"),
        loop(
            "2000",
            "INS",
            loop("2100A", "NM1", qualifiers="IL 74"),
            loop("2100B", "NM1", qualifiers="70"),
            loop("2100C", "NM1", qualifiers="31"),
            loop("2100D", "NM1", qualifiers="36"),
            loop("2100E", "NM1", qualifiers="M8"),
            loop("2100F", "NM1", qualifiers="S3"),
            loop(
                "2100G",
                "NM1",
                qualifiers="E1 EI EXS GB GD J6 LR QD S1 TZ X4",
            ),
            loop("2100H", "NM1", qualifiers="45"),
            loop("2200", "DSB"),
            loop(
                "2300",
                "HD",
                loop("2310", "LX"),
                loop("2320", "COB", loop("2330", "NM1", qualifiers="36 GW IN")),
            ),
            loop("2000", "LS", loop("2700", "LX", loop("2750", "N1", qualifiers="75"))),
            closes="LE",
        ),
    ),
)

X221A1 = Guide(
    "005010X221A1",
    "835",
    "835 Health Care Claim Payment/Advice",
    loop(
        "HEADER",
        "ST",
        loop("1000A", "N1", qualifiers="PR"),
        loop("1000B", "N1", qualifiers="PE"),
        loop("2000", "LX", loop("2100", "CLP", loop("2110", "SVC"))),
        closes="PLB",
    ),
)


def _eligibility(set_id: str, benefit: str, name: str, reference: str) -> Guide:
    """270 or 271: the information source, receiver, subscriber and dependent levels."""

    def benefits(level: str) -> Loop:
        return loop(
            f"2110{level}",
            benefit,
            loop(f"2115{level}", "III"),
            loop(f"2110{level}", "LS", loop(f"2120{level}", "NM1")),
            closes="LE",
        )

    dependent = loop(
        "2000D", "HL", loop("2100D", "NM1", benefits("D"), qualifiers="03"), qualifiers="23"
    )
    subscriber = loop(
        "2000C", "HL", loop("2100C", "NM1", benefits("C"), qualifiers="IL"), dependent,
        qualifiers="22",
    )  # fmt: skip
    receiver = loop("2000B", "HL", loop("2100B", "NM1"), subscriber, qualifiers="21")
    source = loop("2000A", "HL", loop("2100A", "NM1"), receiver, qualifiers="20")
    return Guide(
        reference, set_id, name, loop("HEADER", "ST", source), frozenset({"20", "21", "22", "23"})
    )


def _claim_status(set_id: str, service: str, name: str) -> Guide:
    """276 or 277 (X212): payer, receiver, provider, subscriber and dependent levels."""

    def status(level: str) -> Loop:
        return loop(f"2200{level}", "TRN", loop(f"{service}{level}", "SVC"))

    dependent = loop(
        "2000E", "HL", loop("2100E", "NM1", qualifiers="QC"), status("E"), qualifiers="23"
    )
    subscriber = loop(
        "2000D", "HL", loop("2100D", "NM1", qualifiers="IL"), status("D"), dependent,
        qualifiers="22",
    )  # fmt: skip
    provider = loop("2000C", "HL", loop("2100C", "NM1"), subscriber, qualifiers="19")
    receiver = loop("2000B", "HL", loop("2100B", "NM1"), provider, qualifiers="21")
    source = loop("2000A", "HL", loop("2100A", "NM1"), receiver, qualifiers="20")
    return Guide(
        "005010X212",
        set_id,
        name,
        loop("HEADER", "ST", source),
        frozenset({"19", "20", "21", "22", "23"}),
    )


def _acknowledgment(set_id: str, reference: str, name: str) -> Guide:
    """999 (IK3/IK4/IK5) or 997 (AK3/AK4/AK5)."""
    if set_id == "999":
        response = loop("2000", "AK2", loop("2100", "IK3", loop("2110", "IK4")), closes="IK5")
    else:
        response = loop("2000", "AK2", loop("2100", "AK3"), closes="AK5")
    return Guide(reference, set_id, name, loop("HEADER", "ST", response, closes="AK9"))


GUIDES: dict[tuple[str, str], Guide] = {
    (guide.set_id, guide.reference): guide
    for guide in (
        X222A1,
        X223A2,
        X224A2,
        X220A1,
        X221A1,
        _eligibility("270", "EQ", "270 Eligibility Inquiry", "005010X279A1"),
        _eligibility("271", "EB", "271 Eligibility Response", "005010X279A1"),
        _eligibility("270", "EQ", "270 Eligibility Inquiry", "005010X279"),
        _eligibility("271", "EB", "271 Eligibility Response", "005010X279"),
        _claim_status("276", "2210", "276 Claim Status Request"),
        _claim_status("277", "2220", "277 Claim Status Response"),
        _acknowledgment("999", "005010X231A1", "999 Implementation Acknowledgment"),
        _acknowledgment("999", "005010X231", "999 Implementation Acknowledgment"),
        _acknowledgment("997", "005010X230", "997 Functional Acknowledgment"),
    )
}


def guide_for(set_id: str, reference: str) -> Guide | None:
    """The guide of a set by its ST01 and implementation reference (ST03, else GS08)."""
    return GUIDES.get((set_id, reference))
