"""Phone number normalisation: any format a caller id arrives in -> E.164.

Examples that all give ``+8613800138000``: ``13800138000``, ``+86 138 0013 8000``,
``008613800138000``, ``86-13800138000``, ``013800138000`` (a trunk's ``0`` before a
mobile), ``sip:13800138000@pbx``, full-width ``１３８００１３８０００``. Landlines:
``010-12345678``, ``(010)12345678``, ``+86 10 1234 5678``, ``+86 (0)10 12345678`` ->
``+861012345678``. International numbers need their ``+`` or ``00`` prefix.

Pure: no I/O. The default region decides how numbers without a country code are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder

MAX_RAW_LENGTH = 64
DEFAULT_REGION = "CN"

_URI = re.compile(r"^(?:sips?|tel):", re.IGNORECASE)
_ANONYMOUS = {"anonymous", "unknown", "unavailable", "private", "restricted", "withheld"}
_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.UAN: "uan",
}


# phonenumbers' parse errors in plain words (its own text reads "(1) The string supplied did
# not seem to be a phone number."); agent_console.messages has their zh wording.
_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "its country code is unknown",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "no number in it (letters, or fewer than two digits)",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too few digits after the international prefix",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too few digits",
    phonenumbers.NumberParseException.TOO_LONG: "too many digits",
}


def parse_error_reason(exc: phonenumbers.NumberParseException) -> str:
    """Why ``phonenumbers.parse`` refused a string, in a few plain words (``too few digits``)."""
    return _PARSE_ERRORS.get(exc.error_type, _PARSE_ERRORS[phonenumbers.NumberParseException.NOT_A_NUMBER])


class PhoneError(ValueError):
    """A string that is not a usable phone number; the message says why and what to do."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"{raw[:MAX_RAW_LENGTH]!r} is not a phone number: {reason}")
        self.raw = raw
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    country: str  # ISO 3166 region, e.g. "CN"
    kind: str  # mobile, landline, toll_free, ...
    region_zh: str  # "广东省深圳市" where phonenumbers knows it, else ""
    region_en: str  # "Shenzhen, Guangdong"


def _strip_uri(raw: str) -> str:
    s = raw.strip()
    if _URI.match(s):
        s = _URI.sub("", s, count=1)
        s = s.split("@", 1)[0].split(";", 1)[0]
    return s.strip()


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    if len(raw) > MAX_RAW_LENGTH:
        raise PhoneError(raw, f"longer than {MAX_RAW_LENGTH} characters; send only the number")
    s = _strip_uri(raw)
    if not s:
        raise PhoneError(raw, "it is empty; give the number with area code")
    if s.lower() in _ANONYMOUS:
        raise PhoneError(raw, "the caller id is withheld")
    if not any(ch.isdigit() for ch in s):
        raise PhoneError(raw, "it has no digits")
    try:
        num = phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(raw, f"{parse_error_reason(exc)}; check the digits and the country code") from None
    if phonenumbers.is_valid_number(num):
        return num
    # A trunk may put its own "0" before a mobile (013800138000): try without it.
    digits = re.sub(r"\D", "", s)
    if not s.lstrip().startswith("+") and digits.startswith("0") and not digits.startswith("00"):
        try:
            alt = phonenumbers.parse(digits[1:], region)
        except phonenumbers.NumberParseException:
            alt = None
        if alt is not None and phonenumbers.is_valid_number(alt):
            return alt
    raise PhoneError(raw, "no such number in its numbering plan; check the digits and the area code")


@lru_cache(maxsize=16384)
def normalize(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of ``raw`` or raise :class:`PhoneError`."""
    num = _parse(raw, region)
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def normalize_with_info(raw: str, region: str = DEFAULT_REGION) -> PhoneInfo:
    """Like :func:`info`; also remembers the answer under the E.164 form, so that a bulk
    import that validates ``raw`` and then stores the E.164 number parses it only once."""
    i = info(raw, region)
    _BY_E164[i.e164] = i
    if len(_BY_E164) > 50_000:  # validated but never stored (dry runs, rejected rows)
        _BY_E164.clear()
    return i


def info_e164(e164: str) -> PhoneInfo:
    """Info of a number validated by :func:`normalize_with_info` (taken out of the side
    table, so it holds only numbers between validation and storage), else parsed anew."""
    return _BY_E164.pop(e164, None) or info(e164)


_BY_E164: dict[str, PhoneInfo] = {}


def try_normalize(raw: str, region: str = DEFAULT_REGION) -> str | None:
    try:
        return normalize(raw, region)
    except PhoneError:
        return None


@lru_cache(maxsize=4096)
def info(raw: str, region: str = DEFAULT_REGION) -> PhoneInfo:
    """E.164 plus country, kind and region (province / city) in Chinese and English."""
    num = _parse(raw, region)
    return PhoneInfo(
        e164=phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
        country=phonenumbers.region_code_for_number(num) or "",
        kind=_KINDS.get(phonenumbers.number_type(num), "other"),
        region_zh=geocoder.description_for_number(num, "zh"),
        region_en=geocoder.description_for_number(num, "en"),
    )


def display(e164: str) -> str:
    """Human form: national for Chinese numbers (010 1234 5678), international otherwise."""
    num = phonenumbers.parse(e164, None)
    fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if num.country_code == 86
           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(num, fmt)
