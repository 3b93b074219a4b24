"""A CSV whose header names one column twice (``number,number``, ``电话,number``) is refused as
a whole, naming the columns, by the CRM customer import and the outbound contact and
do-not-call lists (one reader of the header, ``crm.csvio.header_columns``)."""

from __future__ import annotations

import pytest

from agent_console.messages import to_chinese
from crm.csvio import CsvFileError, parse_customers
from outbound.lists import read_contacts


@pytest.mark.parametrize(("header", "col", "named"), [
    ("number,number", "number", "'number', 'number'"),
    ("电话,姓名,number", "number", "'电话', 'number'"),
    ("Phone,手机,电话", "number", "'Phone', '手机', '电话'"),
    ("number,name,姓名", "name", "'name', '姓名'"),
])
@pytest.mark.parametrize("dnc", [False, True], ids=["contacts", "dnc"])
def test_a_list_with_one_column_named_twice_is_refused_naming_the_columns(header: str, col: str, named: str,
                                                                         dnc: bool) -> None:
    n = named.count(",") + 1
    with pytest.raises(CsvFileError) as err:
        read_contacts(f"{header}\n{','.join(['13800138000'] * (header.count(',') + 1))}\n".encode(),
                      header_optional=dnc)
    assert str(err.value) == f"the header names the {col!r} column {n} times ({named}); keep one of them"
    assert to_chinese(str(err.value)) == f"表头中有 {n} 列都表示 {col!r} 列（{named}），请只保留其中一列。"


def test_a_customer_file_with_two_phone_columns_is_refused() -> None:
    with pytest.raises(CsvFileError, match=r"the header names the 'phones' column 2 times \('电话', 'phone'\)"):
        parse_customers("name,电话,phone\n张三,13800138000,13900139000\n".encode())


def test_good_files_and_blank_trailing_columns_still_read() -> None:
    ok = read_contacts("电话,姓名,订单号,,\n13800138000,张三,A-1,,\n".encode())
    assert [(c.number, c.name, c.extra) for c in ok.contacts] == [("+8613800138000", "张三", {"订单号": "A-1"})]
    dnc = read_contacts(b"13800138000\n13900139000\n", header_optional=True)
    assert [c.number for c in dnc.contacts] == ["+8613800138000", "+8613900139000"]
    _, good, errors = parse_customers("name,电话\n张三,13800138000\n".encode())
    assert errors == [] and good[0][1].phones == ["+8613800138000"]
