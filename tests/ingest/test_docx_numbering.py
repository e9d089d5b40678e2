"""Word list numbering as Word shows it: the cases a review found (bullets between numbered
sub-items, labels that look like the text, list styles, tables, style-numbered paragraphs,
legal numbering, lvlRestart and level overrides)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from docx.oxml import parse_xml

from ingest.loaders import load_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def level(ilvl: int, fmt: str, text: str, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


def numbered_document(abstracts: dict[int, str], nums: dict[int, str]) -> Any:
    """A document whose numbering part holds these abstract definitions (inner XML by id) and
    nums (inner XML by id, e.g. '<w:abstractNumId w:val="90"/>')."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for n, (abstract_id, inner) in enumerate(abstracts.items()):
        numbering.insert(n, parse_xml(
            f'<w:abstractNum {W} w:abstractNumId="{abstract_id}">{inner}</w:abstractNum>'))
    for num_id, inner in nums.items():
        numbering.append(parse_xml(f'<w:num {W} w:numId="{num_id}">{inner}</w:num>'))
    return document


def number(element: Any, num_id: int, ilvl: int | None = 0) -> None:
    """Give a paragraph (``._p``) or a style (``.element``) Word numbering."""
    lvl = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
    element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W}>{lvl}<w:numId w:val="{num_id}"/></w:numPr>'))


def add(document: Any, text: str, num_id: int, ilvl: int = 0, style: str | None = None) -> Any:
    paragraph = document.add_paragraph(text, style=style)
    number(paragraph._p, num_id, ilvl)
    return paragraph


def texts(document: Any, tmp_path: Path) -> list[tuple[tuple[str, ...], str]]:
    path = tmp_path / "numbered.docx"
    document.save(path)
    return [(s.heading_path, s.text) for s in load_document(path).sections]


def test_a_bullet_restarts_the_numbered_items_under_it(tmp_path: Path) -> None:
    document = numbered_document(
        {90: level(0, "bullet", "•") + level(1, "decimal", "%2.")},
        {91: '<w:abstractNumId w:val="90"/>'})
    for text, ilvl in (("Online", 0), ("log in", 1), ("apply", 1), ("By post", 0),
                       ("print the form", 1)):
        add(document, text, 91, ilvl)
    assert texts(document, tmp_path) == [
        ((), "- Online\n  1. log in\n  2. apply\n- By post\n  1. print the form")]


def test_heading_numbers_are_kept_when_the_text_starts_with_the_same_letters(
        tmp_path: Path) -> None:
    document = numbered_document({90: level(0, "upperLetter", "%1")},
                                 {91: '<w:abstractNumId w:val="90"/>'})
    number(document.styles["Heading 1"].element, 91)
    for title in ("Introduction", "Background", "C Costs"):  # the last typed by hand as well
        document.add_heading(title, 1)
        document.add_paragraph(f"About {title.lower()}.")
    assert [path for path, _ in texts(document, tmp_path)] == [
        ("A Introduction",), ("B Background",), ("C Costs",)]


def test_list_styles_lend_their_levels_through_num_style_link(tmp_path: Path) -> None:
    document = numbered_document(
        {80: '<w:styleLink w:val="RulesList"/>' + level(0, "decimal", "%1."),
         81: '<w:numStyleLink w:val="RulesList"/>'},
        {70: '<w:abstractNumId w:val="80"/>', 71: '<w:abstractNumId w:val="81"/>'})
    document.styles.element.append(parse_xml(
        f'<w:style {W} w:type="numbering" w:styleId="RulesList"><w:name w:val="Rules list"/>'
        '<w:pPr><w:numPr><w:numId w:val="70"/></w:numPr></w:pPr></w:style>'))
    add(document, "Rule one", 71)
    add(document, "Rule two", 71)
    assert texts(document, tmp_path) == [((), "1. Rule one\n2. Rule two")]


def test_numbered_paragraphs_in_table_cells_count_and_show_their_numbers(
        tmp_path: Path) -> None:
    document = numbered_document({90: level(0, "decimal", "%1.")},
                                 {91: '<w:abstractNumId w:val="90"/>'})
    add(document, "First", 91)
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0).paragraphs[0]
    cell.add_run("Second")
    number(cell._p, 91)
    table.cell(0, 1).text = "a note"
    add(document, "Third", 91)
    assert texts(document, tmp_path) == [((), "1. First\n\n2. Second | a note\n\n3. Third")]


def test_paragraphs_numbered_by_their_style_show_the_number(tmp_path: Path) -> None:
    document = numbered_document(
        {90: level(0, "decimal", "%1") + level(1, "decimal", "%1.%2")},
        {91: '<w:abstractNumId w:val="90"/>'})
    style = document.styles.add_style("Numbered Para", 1)  # 1: a paragraph style
    number(style.element, 91, 1)
    document.add_paragraph("Staff must record leave.", style="Numbered Para")
    document.add_paragraph("Managers approve it.", style="Numbered Para")
    assert texts(document, tmp_path) == [
        ((), "1.1 Staff must record leave.\n\n1.2 Managers approve it.")]


def test_legal_numbering_and_lvl_restart(tmp_path: Path) -> None:
    document = numbered_document(
        {90: level(0, "upperRoman", "Article %1")
         + level(1, "decimalZero", "Section %1.%2", '<w:isLgl/>')
         + level(2, "decimal", "Note %3", '<w:lvlRestart w:val="0"/>')},
        {91: '<w:abstractNumId w:val="90"/>'})
    for text, ilvl in (("Scope", 0), ("Who", 1), ("first", 2), ("Terms", 0), ("Pay", 1),
                       ("second", 2)):
        add(document, text, 91, ilvl)
    assert texts(document, tmp_path) == [((), (
        "Article I Scope\n  Section 1.01 Who\n    Note 1 first\nArticle II Terms\n"
        "  Section 2.01 Pay\n    Note 2 second"))]


def test_level_overrides_and_a_restart_that_opens_with_a_sub_item(tmp_path: Path) -> None:
    document = numbered_document(
        {90: level(0, "decimal", "%1.") + level(1, "lowerLetter", "(%2)")},
        {91: '<w:abstractNumId w:val="90"/>',
         92: '<w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0">'
             '<w:startOverride w:val="1"/></w:lvlOverride>',
         93: '<w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0">'
             + level(0, "upperLetter", "%1)") + '</w:lvlOverride>'})
    for text, num_id, ilvl in (("one", 91, 0), ("two", 91, 0), ("sub first", 92, 1),
                               ("restarted", 92, 0), ("lettered", 93, 0)):
        add(document, text, num_id, ilvl)
    assert texts(document, tmp_path) == [((), (
        "1. one\n2. two\n  (a) sub first\n1. restarted\nB) lettered"))]


def test_numbering_switched_off_in_a_list_style_paragraph_is_no_list_item(
        tmp_path: Path) -> None:
    document = docx.Document()
    add(document, "Plain text in a list style", 0, 0, style="List Paragraph")
    assert texts(document, tmp_path) == [((), "Plain text in a list style")]
