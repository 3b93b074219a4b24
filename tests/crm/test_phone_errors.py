"""A number phonenumbers cannot read is refused in plain words (never the library's own
"(1) The string supplied did not seem to be a phone number."), in English and Chinese, by
the CRM (crm.phones) and by the contact / do-not-call lists (outbound.compliance.normalise)."""

from __future__ import annotations

import re

import phonenumbers
import pytest

from agent_console.messages import to_chinese
from crm import phones as ph
from outbound.campaign import CampaignConfig, CampaignError, Mode
from outbound.compliance import normalise
from outbound.lists import read_contacts

E = phonenumbers.NumberParseException
# one input for each error type phonenumbers.parse raises, with the words we expect
BY_TYPE = [
    (E.INVALID_COUNTRY_CODE, "+999 1234 5678", "its country code is unknown", "国家/地区代码无法识别"),
    (E.NOT_A_NUMBER, "1", "no number in it (letters, or fewer than two digits)", "只有字母或不足两位数字"),
    (E.TOO_SHORT_AFTER_IDD, "0086", "too few digits after the international prefix", "国际冠码之后的位数太少"),
    (E.TOO_SHORT_NSN, "+861", "too few digits", "位数太少"),
    (E.TOO_LONG, "+1 2222 2222 2222 2222 2222", "too many digits", "位数太多"),
]
_LIBRARY_WORDS = re.compile(r"\(\d\)|string supplied|viable|plus-sign")


def test_every_parse_error_type_has_its_own_words() -> None:
    assert {t for t, *_ in BY_TYPE} == {E.INVALID_COUNTRY_CODE, E.NOT_A_NUMBER, E.TOO_SHORT_AFTER_IDD,
                                         E.TOO_SHORT_NSN, E.TOO_LONG}
    for error_type, raw, words, _ in BY_TYPE:
        with pytest.raises(E) as exc:
            phonenumbers.parse(raw, "CN")
        assert exc.value.error_type == error_type, raw
        assert ph.parse_error_reason(exc.value) == words


@pytest.mark.parametrize(("error_type", "raw", "words", "zh"), BY_TYPE)
def test_a_list_row_says_why_in_plain_words_in_both_languages(error_type: int, raw: str, words: str,
                                                              zh: str) -> None:
    with pytest.raises(ValueError) as err:
        normalise(raw)
    en = str(err.value)
    assert en == f"{raw!r} is not a phone number: {words}; write it as +8613800138000"
    assert f"{raw!r} 不是电话号码（{zh}），请写成 +8613800138000 的形式。" == to_chinese(en)
    # the same sentence on the row of a contact file
    report = read_contacts(f"number\n{raw}\n".encode())
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(2, "number", en)]


@pytest.mark.parametrize(("error_type", "raw", "words", "zh"), BY_TYPE)
def test_the_crm_says_why_in_plain_words_in_both_languages(error_type: int, raw: str, words: str,
                                                           zh: str) -> None:
    with pytest.raises(ph.PhoneError) as err:
        ph.normalize(raw)
    en = str(err.value)
    assert not _LIBRARY_WORDS.search(en), en
    assert en == f"{raw!r} is not a phone number: {words}; check the digits and the country code"
    assert to_chinese(en) == f"{raw!r} 不是电话号码：{zh}，请检查号码和国家/地区代码。"


def test_a_campaign_caller_id_says_why_in_both_languages() -> None:
    with pytest.raises(CampaignError) as err:
        CampaignConfig(name="x", mode=Mode.PREVIEW, queue="q", caller_id="abc")
    assert str(err.value) == ("caller id: 'abc' is not a phone number: no number in it (letters, or fewer "
                              "than two digits); write it as +8613800138000")
    assert to_chinese(str(err.value)) == "主叫号码：'abc' 不是电话号码（只有字母或不足两位数字），请写成 +8613800138000。"


@pytest.mark.parametrize("raw", ["", "anonymous", "abc", "95588", "1" * 65, "+999 1234 5678", "+861"])
def test_every_crm_phone_error_is_all_chinese_in_zh(raw: str) -> None:
    with pytest.raises(ph.PhoneError) as err:
        ph.normalize(raw)
    zh = to_chinese(str(err.value))
    assert zh != str(err.value)
    assert not re.search(r"[A-Za-z]{3,}", zh.replace(repr(raw[:ph.MAX_RAW_LENGTH]), "")), zh
