"""The CLI's argument handling (offline, no services built)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.draft import list_text, main, parse_args, read_facts
from assistant.templates import FactsError
from tests.drafting.builders import TEMPLATES_DIR, facts, template


def test_read_facts_merges_file_fields_and_text(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("recipient_name: Jane Doe\nreference: A-1\nnotes: Paid late.\n"
                    "letter_date: 2025-04-01\n")
    args = parse_args(["--facts", str(path), "--field", "reference=HSA-2025-1",
                       "--facts-text", "Phoned twice."])
    facts = read_facts(args)
    assert dict(facts.fields) == {"recipient_name": "Jane Doe", "reference": "HSA-2025-1"}
    assert facts.text == "Paid late.\nPhoned twice." and facts.letter_date == date(2025, 4, 1)


def test_bad_facts_input_is_explained(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match="KEY=VALUE"):
        read_facts(parse_args(["--field", "no-equals-sign"]))
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(FactsError, match="mapping of field names"):
        read_facts(parse_args(["--facts", str(listed)]))


def test_list_and_bad_output_suffix(capsys: pytest.CaptureFixture[str]) -> None:
    assert "decision-letter: Decision letter\n  fields: recipient_name*" in list_text(TEMPLATES_DIR)
    assert main(["--template", "decision-letter", "--out", "letter.pdf"]) == 2
    assert "--out must end in .docx or .txt" in capsys.readouterr().err
    assert main(["--template", "no-such", "--templates-dir", str(TEMPLATES_DIR)]) == 2
    assert "There is no template 'no-such'" in capsys.readouterr().err


def test_yaml_facts_are_read_as_written_and_bad_dates_explained(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("reference: 0123456\nteam: No\nletter_date: 2025-04-01\n")
    facts = read_facts(parse_args(["--facts", str(path)]))
    assert dict(facts.fields) == {"reference": "0123456", "team": "No"}  # not 42798 and False
    assert facts.letter_date == date(2025, 4, 1)
    path.write_text("letter_date: 14/03/2025\n")  # as date fields are written
    assert read_facts(parse_args(["--facts", str(path)])).letter_date == date(2025, 3, 14)
    assert read_facts(parse_args(["--letter-date", "5 February 2026"])).letter_date == \
        date(2026, 2, 5)
    path.write_text("letter_date: 2025-14-03\n")
    with pytest.raises(FactsError, match="The letter's date '2025-14-03' is not a date: write "
                                         "it like 2025-03-14"):
        read_facts(parse_args(["--facts", str(path)]))


def test_facts_files_from_windows_editors(tmp_path: Path) -> None:
    marked = tmp_path / "bom.json"
    marked.write_bytes(b"\xef\xbb\xbf" + json.dumps({"team": "Benefits"}).encode())
    assert read_facts(parse_args(["--facts", str(marked)])).fields == {"team": "Benefits"}
    legacy = tmp_path / "cp1252.yaml"
    legacy.write_bytes("decision: over the £16,000 limit\n".encode("cp1252"))
    with pytest.raises(FactsError, match=r"is not saved as UTF-8 \(byte 20 .*save it as UTF-8"):
        read_facts(parse_args(["--facts", str(legacy)]))


def test_null_yaml_values_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("reference: null\nteam: ~\nletter_date: null\n")
    facts = read_facts(parse_args(["--facts", str(path)]))
    assert dict(facts.fields) == {"reference": "", "team": ""} and facts.letter_date is None


def test_a_list_of_lines_fills_a_multiline_field_and_other_shapes_are_refused(
        tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("address:\n  - 4 Mill Lane\n  - Hull\nnotes:\n  - No savings.\n  - Renting.\n")
    args = parse_args(["--facts", str(path)])
    facts = read_facts(args, template())
    assert facts.fields["address"] == "4 Mill Lane\nHull" and facts.text == "No savings.\nRenting."
    path.write_text("caseworker_name:\n  first: Ann\n  last: Lee\n")
    with pytest.raises(FactsError, match="gives 'caseworker_name' as a mapping"):
        read_facts(args, template())
    path.write_text("reference:\n  - HSA-1\n  - HSA-2\n")
    with pytest.raises(FactsError, match="gives 'reference' as a list: write it as one value"):
        read_facts(args, template())
    path.write_text('{"address": [["4 Mill Lane"]], "team": 12}')
    json_case = path.rename(tmp_path / "case.json")
    with pytest.raises(FactsError, match="gives 'address' as a list"):
        read_facts(parse_args(["--facts", str(json_case)]), template())


def test_a_missing_or_empty_index_is_refused_with_exit_status_3(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = ["--template", "decision-letter", "--templates-dir", str(TEMPLATES_DIR)]
    case += [f"--field={k}={v}" for k, v in facts().fields.items()]
    missing = tmp_path / "no-such-store"
    assert main([*case, "--store", str(missing)]) == 3
    assert f"there is no index at {missing}" in capsys.readouterr().err
    assert not missing.exists()  # no empty store is left behind
    folder = tmp_path / "a-folder"  # a typo naming a real folder: no index files written in it
    folder.mkdir()
    assert main([*case, "--store", str(folder)]) == 3
    assert f"there is no index at {folder}" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
    empty = tmp_path / "empty-store"
    (empty / "chroma").mkdir(parents=True)
    assert main([*case, "--store", str(empty)]) == 3
    captured = capsys.readouterr()
    assert f"the index at {empty} is empty" in captured.err and captured.out == ""


def test_yaml_aliases_in_a_facts_file_are_refused_before_they_expand(tmp_path: Path) -> None:
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text("a: &a " + "x" * 1000 + "\nnotes: [" + ", ".join(["*a"] * 500) + "]\n")
    with pytest.raises(FactsError, match=r"YAML aliases \(\*name\) are not allowed"):
        read_facts(parse_args(["--facts", str(laughs)]))


def test_missing_facts_are_named_with_their_keys_and_the_way_round(
        capsys: pytest.CaptureFixture[str]) -> None:
    case = ["--template", "decision-letter", "--templates-dir", str(TEMPLATES_DIR),
            "--field", "recipient_name=Jane Doe"]
    assert main(case) == 2
    error = capsys.readouterr().err
    assert "Address (without postcode) (address); " in error
    assert "The decision, in one sentence (decision); " in error and "--allow-missing" in error
