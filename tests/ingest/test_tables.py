"""Tables in section text: where each starts, its header, and the header a split chunk needs."""

from __future__ import annotations

from assistant.units import is_table_row as is_row
from ingest.tables import header_for, table_heads

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


def test_group_labels_keep_the_table_and_a_row_of_figures_is_never_a_header() -> None:
    spending = "\n".join([
        " | Estimate | Plans",  # two headings over three years: the years row completes it
        " | 2016-17 | 2017-18 | 2018-19",
        "Capital DEL",  # a label grouping the rows below
        "Defence (1) | 8.8 | 8.5 | 8.7",
        "Home Office | 0.5 | 0.6 | 0.5",
        "Resource DEL",
        "Education | 60.1 | 61.0 | 62.2",
        "Transport | 2.1 | 2.0 | 1.9",
    ]).strip()
    [head] = table_heads(spending)
    assert head.header == "| Estimate | Plans\n | 2016-17 | 2017-18 | 2018-19"
    assert header_for([head], spending.index("Education")) == head.header
    # rows cut off from their header by a long note: no header is better than a data row
    rows = "aw Apprenticeship Levy | Tax | +2630 | +2720\nbt Peer lenders | Tax | +30 | 0\n" \
           "cx Soft drinks levy | Tax | +520 | +1,035"
    assert table_heads(rows) == []


def test_border_bars_blank_end_cells_years_and_captions_do_not_confuse_the_header() -> None:
    stages = "Age | Year | Key stage | Assessment |\n3 to 4 | | Early years | |\n" \
             "4 to 5 | Reception | Early years | Profile |\n5 to 6 | Year 1 | KS1 | Phonics |"
    [head] = table_heads(stages)
    assert head.header == "Age | Year | Key stage | Assessment |"  # its first data row is data
    years = "| | 2023 | 2024 |\n| Basic rate | 20% | 20% |\n| Higher rate | 40% | 40% |"
    assert [h.header for h in table_heads(years)] == ["| | 2023 | 2024 |"]
    two = "\n".join(["| Band | Rate |", "| --- | --- |", "| Basic | 20% |", "| Higher | 40% |",
                     "Scottish rates", "| Band | Scottish rate |", "| --- | --- |",
                     "| Starter | 19% |", "| Basic | 20% |"])
    assert [h.header.split("\n")[0] for h in table_heads(two)] == ["| Band | Rate |",
                                                                   "| Band | Scottish rate |"]


def test_a_blank_header_over_row_labels_does_not_take_the_first_row() -> None:
    # Immigration Rules Appendix V: the first row was taken into the header, which made the
    # header 139 tokens and cut the table into chunks of a few lines, one holding the header alone
    visitors = "\n".join([
        "| | Visitor type | Maximum initial length of stay in the UK |",
        "| --- | --- |",
        "| (a) | Standard Visitor | up to 6 months except: (i) private medical treatment |",
        "| (b) | Marriage / Civil Partnership Visitor | up to 6 months |",
        "| (c) | Transit Visitor | up to 48 hours |",
    ])
    [head] = table_heads(visitors)
    assert head.header == "| | Visitor type | Maximum initial length of stay in the UK |\n" \
        "| --- | --- |"
    assert header_for([head], visitors.index("| (b)")) == head.header
    # a short labelled row is data too (a review of the second version found it in the header)
    transit = "\n".join([visitors.split("\n")[0], "| --- | --- |", "| (c) | Transit Visitor | "
                         "up to 48 hours |", "| (d) | Diplomatic Visitor | up to 6 months |"])
    assert [h.header for h in table_heads(transit)] == [
        "| | Visitor type | Maximum initial length of stay in the UK |\n| --- | --- |"]
    # a row naming more columns than the header has still completes it (the first version lost
    # these)
    forecast = ("| | | Forecast\n | 2015 | 2016 | 2017 | 2018\nTax | 1.0 | 1.1 | 1.2 | 1.3\n"
                "Spend | 2.0 | 2.1 | 2.2 | 2.3")
    assert [h.header for h in table_heads(forecast)] == [
        "| | | Forecast\n | 2015 | 2016 | 2017 | 2018"]

