from __future__ import annotations

import pytest

from crm import phones as ph

MOBILE = "+8613800138000"
BEIJING = "+861012345678"
GUANGZHOU = "+862012345678"
SHENZHEN = "+8675526881234"

SAME_NUMBER = [
    # Chinese mobiles, as caller ids and as people type them
    ("13800138000", MOBILE),
    ("+8613800138000", MOBILE),
    ("008613800138000", MOBILE),
    ("8613800138000", MOBILE),
    ("86 138 0013 8000", MOBILE),
    ("+86 138-0013-8000", MOBILE),
    ("+86-13800138000", MOBILE),
    ("(+86) 13800138000", MOBILE),
    ("013800138000", MOBILE),  # a trunk's 0 before the mobile
    ("138 0013 8000", MOBILE),
    ("138-0013-8000", MOBILE),
    ("  13800138000\t", MOBILE),
    ("１３８００１３８０００", MOBILE),  # full-width digits from a Chinese IME
    ("sip:13800138000@10.0.0.5", MOBILE),
    ("sip:+8613800138000@trunk;user=phone", MOBILE),
    ("tel:+86-138-0013-8000", MOBILE),
    ("15912345678", "+8615912345678"),
    ("+86 199 1234 5678", "+8619912345678"),
    # Chinese landlines
    ("010-12345678", BEIJING),
    ("(010)12345678", BEIJING),
    ("（010）12345678", BEIJING),
    ("01012345678", BEIJING),
    ("+86 10 1234 5678", BEIJING),
    ("+86 010 12345678", BEIJING),
    ("+86 (0)10 12345678", BEIJING),
    ("8601012345678", BEIJING),
    ("00861012345678", BEIJING),
    ("02012345678", GUANGZHOU),
    ("020-1234 5678", GUANGZHOU),
    ("+86 20 1234 5678", GUANGZHOU),
    ("+862012345678", GUANGZHOU),
    ("0755-26881234", SHENZHEN),
    ("0755 2688 1234", SHENZHEN),
    ("+86 755 2688 1234", SHENZHEN),
    ("021-68888888", "+862168888888"),
    ("400-810-8888", "+864008108888"),
    # international
    ("+1 650-253-0000", "+16502530000"),
    ("0016502530000", "+16502530000"),
    ("+44 20 7946 0958", "+442079460958"),
    ("0044 20 7946 0958", "+442079460958"),
    ("+852 2123 4567", "+85221234567"),
    ("+886 2 2345 6789", "+886223456789"),
    ("+81 3-1234-5678", "+81312345678"),
    ("+49 30 901820", "+4930901820"),
    ("+33 1 42 68 53 00", "+33142685300"),
    ("+61 2 9374 4000", "+61293744000"),
]

INVALID = [
    "", "   ", "anonymous", "Unknown", "abc", "1234", "95588", "12345678", "1380013800",
    "138001380001", "+86", "+999 1234 5678", "+1 123", "0000000000", "sip:@host",
    "1" * 65, "13800138000; DROP TABLE crm_customers",
]


@pytest.mark.parametrize(("raw", "e164"), SAME_NUMBER)
def test_any_format_normalises_to_e164(raw: str, e164: str) -> None:
    assert ph.normalize(raw) == e164


@pytest.mark.parametrize("raw", INVALID)
def test_invalid_numbers_raise_a_clear_error(raw: str) -> None:
    with pytest.raises(ph.PhoneError) as err:
        ph.normalize(raw)
    assert "is not a phone number:" in str(err.value)
    assert err.value.reason
    assert ph.try_normalize(raw) is None


def test_region_is_known_in_chinese_and_english() -> None:
    i = ph.info("0755-26881234")
    assert (i.country, i.kind) == ("CN", "landline")
    assert "深圳" in i.region_zh and "Shenzhen" in i.region_en
    m = ph.info("13800138000")
    assert m.kind == "mobile" and m.region_zh == "北京市"
    us = ph.info("+1 650 253 0000")
    assert us.country == "US" and "Mountain View" in us.region_en


def test_oversized_input_is_refused_without_parsing() -> None:
    with pytest.raises(ph.PhoneError, match="longer than 64"):
        ph.normalize("1" * 10_000)


def test_display_is_national_for_china_international_elsewhere() -> None:
    assert ph.display(BEIJING) == "010 1234 5678"
    assert ph.display("+442079460958").startswith("+44 20")
