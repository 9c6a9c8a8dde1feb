"""The X12 acknowledgment code lists a finding carries, so the 999 and TA1 can be written from it.

Values are the codes as the acknowledgments send them: TA1 note codes (TA105, ASC X12 element
668), functional group syntax error codes (999 AK905, element 716), transaction set syntax error
codes (999 IK502, element 718), segment syntax error codes (999 IK304, element 620) and data
element syntax error codes (999 IK403, element 621), per the 005010X231A1 implementation guide.
"""

from __future__ import annotations

from enum import StrEnum


class Ta1Note(StrEnum):
    """Why an interchange (ISA..IEA) is rejected (TA105)."""

    CONTROL_NUMBER_MISMATCH = "001"
    """The interchange control number in the header and trailer do not match."""
    STANDARD_NOT_SUPPORTED = "002"
    VERSION_NOT_SUPPORTED = "003"
    INVALID_SEGMENT_TERMINATOR = "004"
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION_VALUE = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY_VALUE = "013"
    INVALID_DATE = "014"
    INVALID_TIME = "015"
    INVALID_STANDARDS_ID = "016"
    INVALID_VERSION_ID = "017"
    INVALID_CONTROL_NUMBER = "018"
    INVALID_ACKNOWLEDGMENT_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    INVALID_GROUP_COUNT = "021"
    """IEA01 does not count the functional groups of the interchange."""
    INVALID_CONTROL_STRUCTURE = "022"
    PREMATURE_END_OF_FILE = "023"
    INVALID_CONTENT = "024"
    DUPLICATE_CONTROL_NUMBER = "025"
    INVALID_ELEMENT_SEPARATOR = "026"
    INVALID_COMPONENT_SEPARATOR = "027"


class GroupError(StrEnum):
    """Why a functional group (GS..GE) is in error (999 AK905..AK909)."""

    NOT_SUPPORTED = "1"
    VERSION_NOT_SUPPORTED = "2"
    TRAILER_MISSING = "3"
    CONTROL_NUMBER_MISMATCH = "4"
    """GE02 is not GS06."""
    SET_COUNT_MISMATCH = "5"
    """GE01 does not count the transaction sets of the group."""
    CONTROL_NUMBER_SYNTAX = "6"


class SetError(StrEnum):
    """Why a transaction set (ST..SE) is rejected (999 IK502..IK506)."""

    NOT_SUPPORTED = "1"
    TRAILER_MISSING = "2"
    CONTROL_NUMBER_MISMATCH = "3"
    """SE02 is not ST02."""
    SEGMENT_COUNT_MISMATCH = "4"
    """SE01 does not count the segments of the set, ST and SE included."""
    SEGMENTS_IN_ERROR = "5"
    INVALID_SET_ID = "6"
    INVALID_CONTROL_NUMBER = "7"
    NOT_IN_GROUP = "18"
    INVALID_IMPLEMENTATION_REFERENCE = "19"
    CONTROL_NUMBER_NOT_UNIQUE = "23"


class SegmentError(StrEnum):
    """What is wrong with a segment (999 IK304)."""

    UNRECOGNIZED_ID = "1"
    UNEXPECTED = "2"
    REQUIRED_MISSING = "3"
    LOOP_OVER_MAXIMUM = "4"
    EXCEEDS_MAXIMUM_USE = "5"
    NOT_IN_SET = "6"
    OUT_OF_SEQUENCE = "7"
    HAS_ELEMENT_ERRORS = "8"
    LOOP_UNDER_MINIMUM = "I7"


class ElementError(StrEnum):
    """What is wrong with a data element (999 IK403)."""

    REQUIRED_MISSING = "1"
    CONDITIONAL_MISSING = "2"
    TOO_MANY_ELEMENTS = "3"
    TOO_SHORT = "4"
    TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    EXCLUSION_VIOLATED = "10"
    TOO_MANY_REPETITIONS = "12"
    TOO_MANY_COMPONENTS = "13"
    PATTERN_MISMATCH = "I12"
    """Implementation pattern match failure: e.g. an NPI whose check digit is wrong."""
