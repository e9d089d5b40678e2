"""Letter templates: the samples load; bad, oversize or code-like templates are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.templates import (
    MAX_TEMPLATE_BYTES,
    FactsError,
    FieldSpec,
    TemplateError,
    check_facts,
    fill,
    find_template,
    format_value,
    greeting,
    list_templates,
    parse_template,
    save_template,
)
from tests.drafting.builders import SAMPLE_TEMPLATES, TEMPLATES_DIR, template

MINIMAL = """
name: tiny
title: Tiny letter
fields:
  - {name: recipient_name, label: Name, type: name}
parts:
  - fixed: "Dear {recipient_name},"
  - section: {id: body, heading: Body, query: what to say, guidance: Say it.}
"""


def test_sample_templates_load_with_sections_and_fixed_text() -> None:
    templates, problems = list_templates(TEMPLATES_DIR)
    assert problems == []
    assert [t.name for t in templates] == list(SAMPLE_TEMPLATES)
    for t in templates:
        assert len(t.sections) >= 2
        assert any("Yours sincerely" in p.fixed for p in t.parts if hasattr(p, "fixed"))


def test_minimal_template_parses() -> None:
    parsed = parse_template(MINIMAL)
    assert parsed.name == "tiny"
    assert parsed.sections[0].query == "what to say"


def test_unknown_placeholder_is_named() -> None:
    text = MINIMAL.replace("Dear {recipient_name},", "Dear {recipient_name}, ref {case_ref}")
    with pytest.raises(TemplateError, match=r"\{case_ref\}, which is not a declared field"):
        parse_template(text)


def test_double_braces_around_a_field_are_refused_with_the_fix() -> None:
    jinja = MINIMAL.replace("Dear {recipient_name},", "Dear {{ recipient_name }},")
    with pytest.raises(TemplateError, match=r"write \{recipient_name\} with single braces"):
        parse_template(jinja)
    second = MINIMAL.replace("Dear {recipient_name},", "See {{ref}}. Dear {{recipient_name}},")
    with pytest.raises(TemplateError, match=r"\{\{recipient_name\}\}"):
        parse_template(second)  # found after a literal {{ref}}
    literal = MINIMAL.replace("Dear {recipient_name},",
                              "Dear {recipient_name}, see {{ref}} and {{{recipient_name}}}")
    fixed = parse_template(literal).parts[0].fixed  # type: ignore[union-attr]
    assert fill(fixed, {"recipient_name": "Jo"}) == "Dear Jo, see {ref} and {Jo}"


@pytest.mark.parametrize("token", ["{0}", "{recipient_name.__class__}", "{recipient_name!r}",
                                   "{ }", "stray {"])
def test_format_string_tricks_are_refused(token: str) -> None:
    with pytest.raises(TemplateError, match="is not a placeholder"):
        parse_template(MINIMAL.replace("Dear {recipient_name},", f"Dear {token}"))


def test_bad_yaml_is_refused() -> None:
    with pytest.raises(TemplateError, match="not valid YAML"):
        parse_template("name: [unclosed\n")
    # where, in words, not the parser's own report ('while parsing a flow sequence in
    # "<unicode string>"')
    with pytest.raises(TemplateError) as refused:
        parse_template("name: x\nfields: [a, b\nparts: 1\n", "bad.yaml")
    assert "at line 3, column 6. Check the quotes and indentation there." in str(refused.value)
    assert "<unicode string>" not in str(refused.value)


def test_oversize_template_is_refused() -> None:
    padded = MINIMAL + "# " + "x" * MAX_TEMPLATE_BYTES + "\n"
    with pytest.raises(TemplateError, match="larger than 64 KB"):
        parse_template(padded)


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(TemplateError, match="not valid YAML"):
        parse_template(text)
    assert not marker.exists()


def test_yaml_aliases_are_refused() -> None:
    text = MINIMAL + "description: &a hello\nextra_description: *a\n"
    with pytest.raises(TemplateError, match="aliases"):
        parse_template(text)


def test_unknown_keys_are_refused_with_their_name() -> None:
    with pytest.raises(TemplateError, match="script"):
        parse_template(MINIMAL + "script: rm -rf /\n")


def test_part_must_be_fixed_or_section() -> None:
    text = MINIMAL.replace('  - fixed: "Dear {recipient_name},"', "  - jinja: '{{ 7*7 }}'")
    with pytest.raises(TemplateError, match="either 'fixed: <text>' or 'section"):
        parse_template(text)


def test_reserved_and_duplicate_field_names_are_refused() -> None:
    with pytest.raises(TemplateError, match="reserved"):
        parse_template(MINIMAL.replace("name: recipient_name", "name: today"))
    doubled = MINIMAL.replace("fields:\n", "fields:\n  - {name: recipient_name, label: Again}\n")
    with pytest.raises(TemplateError, match="repeated: recipient_name"):
        parse_template(doubled)


def test_fill_is_plain_substitution() -> None:
    values = {"recipient_name": "{reference} {0} {{x}}", "reference": "SECRET"}
    expected = "Dear {reference} {0} {{x}} {literal}"
    assert fill("Dear {recipient_name} {{literal}}", values) == expected
    assert fill("Ref {reference}, {missing}", values) == "Ref SECRET, {missing}"
    assert fill("Ref {missing}.", values, missing="blank") == "Ref ."


def test_check_facts_formats_values_in_govuk_style() -> None:
    filled = check_facts(template(), {"decision_date": "14/03/2025", "postcode": "ls14ap",
                                      "recipient_name": "  Jane   Doe "})
    assert filled.values["decision_date"] == "14 March 2025"
    assert filled.values["postcode"] == "LS1 4AP"
    assert filled.values["recipient_name"] == "Jane Doe"
    assert "reference" in filled.missing and "team" not in filled.missing


def test_check_facts_names_unknown_and_invalid_fields() -> None:
    with pytest.raises(FactsError, match="no field nino.*Its fields are: recipient_name"):
        check_facts(template(), {"nino": "QQ123456C"})
    with pytest.raises(FactsError, match="Date of the decision 'next Tuesday' is not a date"):
        check_facts(template(), {"decision_date": "next Tuesday"})
    with pytest.raises(FactsError, match="limit is 300"):
        check_facts(template(), {"benefit": "x" * 301})


def test_save_template_validates_and_refuses_overwrite(tmp_path: Path) -> None:
    saved = save_template(MINIMAL, tmp_path)
    assert (tmp_path / "tiny.yaml").read_text() == MINIMAL
    assert find_template("tiny", tmp_path) == saved
    with pytest.raises(TemplateError, match="already exists"):
        save_template(MINIMAL, tmp_path)
    with pytest.raises(TemplateError):
        save_template("name: Bad Name\n", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_find_template_by_path_and_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL)
    assert find_template(str(path), TEMPLATES_DIR).name == "tiny"
    with pytest.raises(TemplateError, match="no template 'nope'. Templates: acknowledgement"):
        find_template("nope", TEMPLATES_DIR)
    with pytest.raises(TemplateError, match="neither a template name"):
        find_template("../etc/passwd", TEMPLATES_DIR)


def test_file_name_must_match_declared_name(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(MINIMAL)
    templates, problems = list_templates(tmp_path)
    assert templates == []
    assert problems == ["other.yaml declares name 'tiny'; it must be other."]


@pytest.mark.parametrize("part", ['"hello"', "5", "null", "[1]"])
def test_a_part_that_is_not_a_mapping_is_refused_clearly(part: str, tmp_path: Path) -> None:
    text = MINIMAL.replace('  - fixed: "Dear {recipient_name},"', f"  - {part}")
    with pytest.raises(TemplateError, match="either 'fixed: <text>' or 'section"):
        parse_template(text)
    (tmp_path / "broken.yaml").write_text(text)
    found, problems = list_templates(tmp_path)  # listed as a problem, not a crash
    assert found == [] and len(problems) == 1


def test_a_section_id_cannot_take_a_fixed_parts_id() -> None:
    with pytest.raises(TemplateError, match="reserved for the fixed parts"):
        parse_template(MINIMAL.replace("id: body", "id: fixed_1"))


@pytest.mark.parametrize("amount", ["nan", "inf", "-50", "1e9", "£1,25", "12.345"])
def test_money_must_look_like_money(amount: str) -> None:
    money = MINIMAL.replace("fields:\n",
                            "fields:\n  - {name: amount, label: Amount, type: money}\n")
    with pytest.raises(FactsError, match="is not an amount of money"):
        check_facts(parse_template(money), {"recipient_name": "Jo", "amount": amount})
    ok = check_facts(parse_template(money), {"recipient_name": "Jo", "amount": "£1,250.5"})
    assert ok.values["amount"] == "£1,250.50"


@pytest.mark.parametrize("name", ["notes", "letter_date"])
def test_facts_file_keys_are_reserved_field_names(name: str) -> None:
    with pytest.raises(TemplateError, match=f"field name '{name}' is reserved for the .* in a "
                                            "facts file; choose another name"):
        parse_template(MINIMAL.replace("name: recipient_name", f"name: {name}")
                       .replace("{recipient_name}", f"{{{name}}}"))


NI = FieldSpec(name="nino", label="NI number", type="ni_number")


@pytest.mark.parametrize("number", ["AB 12 34 56 C", "ab123456a", "OA123456D", "CE123456B"])
def test_valid_national_insurance_numbers_are_spaced(number: str) -> None:
    compact = number.upper().replace(" ", "")
    assert format_value(NI, number) == (
        f"{compact[:2]} {compact[2:4]} {compact[4:6]} {compact[6:8]} {compact[8]}")


@pytest.mark.parametrize("number", [
    "QQ123456C",  # Q is never a first or second letter
    "DA123456A", "FA123456A", "IA123456A", "UA123456A", "VA123456A",  # first letter
    "AD123456A", "AF123456A", "AI123456A", "AO123456A", "AQ123456A", "AU123456A", "AV123456A",
    "BG123456A", "GB123456A", "KN123456A", "NK123456A", "NT123456A", "TN123456A", "ZZ123456A",
    "AB123456E", "AB12345C", "AB1234567C",
])
def test_national_insurance_numbers_follow_hmrc_rules(number: str) -> None:
    with pytest.raises(FactsError, match="is not a National Insurance number"):
        format_value(NI, number)


def test_when_is_only_for_date_fields() -> None:
    dated = MINIMAL.replace("type: name}", "type: name}\n  - {name: due, label: Due, type: date, "
                            "when: future}")
    assert parse_template(dated).fields[1].when == "future"
    with pytest.raises(TemplateError, match="'when' is for date fields"):
        parse_template(MINIMAL.replace("type: name}", "type: name, when: past}"))


@pytest.mark.parametrize(("name", "greets"), [
    ("Dr Siân Evans", "Dr Evans"), ("Mrs. Jane Anne Smith", "Mrs. Smith"), ("mr john o'neill",
    "mr o'neill"), ("Sir John Smith", "Sir John"), ("Jane Smith", "Jane Smith"), ("Ms Smith",
    "Ms Smith"), ("Dr Who", "Dr Who"), ("  Jo   Bloggs ", "Jo Bloggs"),
    # from a code review: suffixes, letters after the name, roles, notes and particles
    ("Mr John Smith Jr", "Mr Smith"), ("Dr Siân Evans OBE", "Dr Evans"),
    ("Ms Ana de la Cruz", "Ms de la Cruz"), ("Mr Ludwig van Beethoven", "Mr van Beethoven"),
    ("Mr John Smith, Director", "Mr Smith"), ("Mrs Mary Smith (deceased)", "Mrs Smith"),
    ("MR JOHN SMITH", "MR JOHN SMITH"),
    # from a second review: couples as given, degrees are no surnames
    ("Mr and Mrs Smith", "Mr and Mrs Smith"), ("Mr & Mrs J Smith", "Mr & Mrs J Smith"),
    ("Dr Siân Evans MBChB", "Dr Evans"), ("Mr John Smith PhD", "Mr Smith"),
    ("Mr John Smith Esq", "Mr Smith"), ("Mrs Anne Smith-Jones", "Mrs Smith-Jones"),
    # from a third review: a couple's address or note is dropped too; a full stop is no part
    ("Mr & Mrs J Smith, 12 High Street", "Mr & Mrs J Smith"),
    ("Mr and Mrs Smith (joint claimants)", "Mr and Mrs Smith"), ("Mr John Smith.", "Mr Smith"),
])
def test_a_titled_name_is_greeted_by_title_and_surname(name: str, greets: str) -> None:
    assert greeting(name) == greets


def test_a_name_field_has_a_greeting_placeholder() -> None:
    tiny = parse_template(MINIMAL.replace("Dear {recipient_name},",
                                          "To {recipient_name}. Dear {recipient_name_greeting},"))
    values = check_facts(tiny, {"recipient_name": "Dr  Siân Evans"}).values
    text = fill(tiny.parts[0].fixed, values)  # type: ignore[union-attr]
    assert text == "To Dr Siân Evans. Dear Dr Evans,"
    with pytest.raises(ValueError, match="reserved for the greeting"):
        parse_template(MINIMAL.replace(
            "type: name}", "type: name}\n  - {name: recipient_name_greeting, label: G}"))
    with pytest.raises(ValueError, match="not a declared field"):  # only name fields have one
        parse_template(MINIMAL.replace("type: name}", "type: text}").replace(
            "Dear {recipient_name},", "Dear {recipient_name_greeting},"))


def test_an_optional_name_left_empty_leaves_no_greeting_placeholder() -> None:
    """From a code review: 'Dear {agent_name_greeting},' was left in the letter."""
    from assistant.drafting import CaseFacts, prepare_values
    tiny = parse_template(MINIMAL.replace(
        "type: name}", "type: name}\n  - {name: agent_name, label: Agent, type: name, "
                       "required: false}").replace("Dear {recipient_name},",
                                                   "Dear {agent_name_greeting},"))
    values = prepare_values(tiny, CaseFacts({"recipient_name": "Jo Bloggs"}, ""), "cover")
    assert fill(tiny.parts[0].fixed, values) == "Dear ,"  # type: ignore[union-attr]
