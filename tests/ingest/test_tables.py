"""Tables in section text: where each starts, its header, and the header a split chunk needs."""

from __future__ import annotations

from ingest.tables import header_for, is_row, table_heads

SALARY = "\n".join([
    "Occupations on the list.",
    "| SOC 2020 occupation code | Included on the list in: | | | | Removal date |",
    "| --- | --- | --- |",  # a scraped rule with fewer cells than the header
    "| | England | Scotland | Wales | Northern Ireland | |",
    "| 5313 Bricklayers – all jobs | Yes | Yes | Yes | Yes | 31 December 2026 |",
    "| 5314 Roofers – all jobs | Yes | Yes | Yes | Yes | 31 December 2026 |",
    "After the table.",
])


def test_a_header_with_merged_cells_takes_the_row_naming_them() -> None:
    [head] = table_heads(SALARY)
    assert head.header.split("\n") == SALARY.split("\n")[1:4]
    roofers = SALARY.index("| 5314")
    assert header_for([head], roofers) == head.header
    assert header_for([head], SALARY.index("| 5313")) == head.header
    assert header_for([head], 0) == ""  # prose before the table
    assert header_for([head], SALARY.index("After")) == ""


def test_cells_joined_by_bars_are_rows_and_one_row_is_no_table() -> None:
    assert is_row("Weekly | £187.18") and is_row("| a | b |") and not is_row("Pay is due.")
    text = "Rate | Amount\nWeekly | £187.18\nMonthly | £811"
    [head] = table_heads(text)
    assert head.header == "Rate | Amount" and header_for([head], text.index("Monthly")) == \
        "Rate | Amount"
    assert table_heads("Rate | Amount\nWeekly | £187.18") == []  # one body row: nothing to repeat
