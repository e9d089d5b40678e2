"""Draft a letter: the generated form, drafting offline and with a model, edits re-checked,
bad input explained without losing the facts, and the downloads."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from app_pages.services import AppServices
from assistant.drafting import MACHINE_NOTICE, MAX_FACTS_CHARS
from assistant.templates import FieldSpec, format_value
from assistant.testing import FakeChatModel, FakeEmbedder
from tests.app.conftest import open_app, texts
from tests.drafting.builders import BASE_FIELDS, EXTRA_FIELDS, TEMPLATES_DIR, retriever, template

DRAFT_PAGE = "app_pages/draft.py"
COVER = "explain why the claim was refused and how to ask for a review"


@pytest.fixture
def drafting_app(fake_app: AppServices) -> AppServices:
    """The fake app answering every query with two mandatory-reconsideration passages (which
    its index holds too: the page refuses to draft from an empty index)."""
    fake = retriever()
    fake_app.services.retriever = fake
    passages = [s.chunk for s in fake.results]
    fake_app.services.index.upsert_chunks(passages, FakeEmbedder().embed(
        [c.text for c in passages]))
    return fake_app


def open_draft() -> AppTest:
    at = open_app()
    at.switch_page(DRAFT_PAGE).run()
    return at


def fill_in(at: AppTest, name: str = "decision-letter", **overrides: str) -> AppTest:
    """Choose template ``name`` and type its facts (``overrides`` change or blank some)."""
    if at.selectbox(key=state.DRAFT_TEMPLATE).value != name:
        at.selectbox(key=state.DRAFT_TEMPLATE).set_value(name).run()
    values = {**BASE_FIELDS, **EXTRA_FIELDS[name], **overrides}
    for spec in template(name).fields:
        value = values.get(spec.name, "")
        kind = state.widget_kind(spec)
        if kind == "date":
            at.date_input(key=state.fact_key("date", spec.name)).set_value(
                date.fromisoformat(value) if value else None)
        elif kind == "multiline":  # a multi-line field, or a text field allowed over 300
            at.text_area(key=state.fact_key("multiline", spec.name)).input(value)
        else:
            at.text_input(key=state.fact_key("line", spec.name)).input(value)
    at.text_area(key=state.DRAFT_FACTS_TEXT).input("Savings of £20,000 were declared.")
    at.text_area(key=state.DRAFT_COVER).input(COVER)
    return at.run()


def press_draft(at: AppTest) -> AppTest:
    return at.button[[b.label for b in at.button].index("Draft the letter")].click().run()


def section_editor(at: AppTest, section_id: str) -> object:
    return at.text_area(key=state.section_key(at.session_state[state.DRAFT_ROUND], section_id))


def test_the_form_is_generated_from_the_template_fields(drafting_app: AppServices) -> None:
    at = open_draft()
    assert not at.exception
    at.selectbox(key=state.DRAFT_TEMPLATE).set_value("decision-letter").run()
    labels = {w.label for kind in (at.text_input, at.text_area, at.date_input) for w in kind}
    assert {"Recipient's full name", "Address (without postcode)", "Date of the decision",
            "Team (optional)", "Other case facts (optional)",
            "What the letter must cover"} <= labels
    assert at.date_input(key=state.fact_key("date", "decision_date")).label \
        == "Date of the decision"
    assert at.text_area(key=state.fact_key("multiline", "address")).label \
        == "Address (without postcode)"
    assert [o for o in at.selectbox(key=state.DRAFT_TEMPLATE).options] == [
        "Acknowledgement", "Complaint response", "Decision letter",
        "Request for further information"]
    at.selectbox(key=state.DRAFT_TEMPLATE).set_value("acknowledgement").run()
    assert at.text_input(key=state.fact_key("line", "recipient_name")).label \
        == "Recipient's full name"
    assert at.date_input(key=state.fact_key("date", "received_date")).label \
        == "Date we received it"


def test_offline_draft_shows_notice_sections_citations_and_downloads(
        drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft()))
    assert not at.exception and not at.error
    assert at.warning[0].value == MACHINE_NOTICE
    assert "No language model is configured" in texts(at)
    draft = at.session_state[state.DRAFT]
    assert draft.mode == "offline" and draft.complete
    reasons = section_editor(at, "reasons")
    assert reasons.label == "Why we made this decision"
    assert "[REWRITE:" in reasons.value and "[1]" in reasons.value
    assert "Jane Doe" in section_editor(at, "fixed_1").value
    shown = texts(at)
    assert "**[1] Mandatory reconsideration** — Time limits" in shown
    assert "> The customer must ask for a mandatory reconsideration" in shown
    assert "Placeholders still to fill in" in shown  # the [REWRITE: ...] notes
    assert [b.label for b in at.download_button] == ["Download as Word (.docx)",
                                                     "Download as plain text (.txt)"]
    assert "The files hold the letter and its numbered sources" in texts(at)
    at.toggle(key="draft_export_sources").set_value(False).run()
    assert "The files hold the letter without source numbers or sources, to send" in texts(at)


def test_editing_a_section_updates_the_checks(drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft()))
    assert "Mr Brown" not in texts(at)
    section_editor(at, "reasons").input(
        "Mr Brown of LS2 7EW has savings over the limit, so we cannot pay you.").run()
    shown = texts(at)
    assert "The name 'Mr Brown' is not one of this case's names." in shown
    assert "The postcode LS2 7EW is not in this case's facts." in shown
    assert "'Why we made this decision' cites no source from the guidance." in shown
    draft = at.session_state[state.DRAFT]
    assert draft.section("reasons").text.startswith("Mr Brown of LS2 7EW")
    section_editor(at, "reasons").input("You have savings over the limit [1].").run()
    shown = texts(at)
    assert "Mr Brown" not in shown and "'Why we made this decision' cites no" not in shown
    assert "**[1] Mandatory reconsideration**" in shown


def test_drafting_again_asks_before_discarding_edits(drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft()))
    first_round = at.session_state[state.DRAFT_ROUND]
    press_draft(at)  # nothing edited yet: a new draft straight away
    assert at.session_state[state.DRAFT_ROUND] == first_round + 1
    section_editor(at, "reasons").input("My own wording [1].")
    press_draft(at)  # typed and pressed in one go: the edit still counts
    assert "Drafting again replaces it, and your edits are lost" in texts(at)
    assert section_editor(at, "reasons").value == "My own wording [1]."
    at.button[[b.label for b in at.button].index("Keep my edited draft")].click().run()
    assert "your edits are lost" not in texts(at)
    assert at.session_state[state.DRAFT].section("reasons").text == "My own wording [1]."
    press_draft(at)
    at.button[[b.label for b in at.button].index("Draft again and discard my edits")].click()
    at.run()
    assert at.session_state[state.DRAFT_ROUND] == first_round + 2
    assert "[REWRITE:" in section_editor(at, "reasons").value
    assert not at.session_state[state.DRAFT].edited and "your edits are lost" not in texts(at)


def test_missing_required_fact_gives_a_clear_error_and_keeps_the_facts(
        drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft(), recipient_name=""))
    assert not at.exception
    assert "Fill in the required facts before drafting: Recipient's full name." in at.error[0].value
    assert at.session_state[state.DRAFT] is None
    assert at.text_input(key=state.fact_key("line", "reference")).value == "HSA-2025-004512"
    assert at.text_area(key=state.DRAFT_COVER).value == COVER
    at.text_input(key=state.fact_key("line", "recipient_name")).input("Jane Doe")
    press_draft(at)
    assert not at.error and at.session_state[state.DRAFT].complete


def test_drafting_with_gaps_leaves_placeholders_to_fill(drafting_app: AppServices) -> None:
    at = fill_in(open_draft(), caseworker_name="")
    at.checkbox(key=state.DRAFT_ALLOW_MISSING).check()
    press_draft(at)
    assert not at.error
    assert r"still has the placeholder \{caseworker\_name\}" in texts(at)  # escaped Markdown


def test_oversize_facts_are_cut_at_the_limit_with_a_clear_message(
        drafting_app: AppServices) -> None:
    at = fill_in(open_draft())
    box = at.text_area(key=state.DRAFT_FACTS_TEXT)
    assert box.max_chars == MAX_FACTS_CHARS  # the browser stops typing and pasting there
    box.set_value("x" * (MAX_FACTS_CHARS + 500)).run()  # a crafted request: Streamlit cuts it
    assert len(at.text_area(key=state.DRAFT_FACTS_TEXT).value) == MAX_FACTS_CHARS
    assert "reached the limit of 20,000 characters" in at.warning[0].value
    press_draft(at)
    assert not at.error and at.session_state[state.DRAFT].complete


def test_model_error_mid_draft_keeps_facts_and_the_partial_draft(
        drafting_app: AppServices, chat_model: FakeChatModel) -> None:
    chat_model.enqueue("You have savings of more than £16,000, so you cannot get this "
                       "allowance [1].")
    chat_model.enqueue("You can ask us to look at the decision again within one month [1].",
                       fail_after=3)
    at = press_draft(fill_in(open_draft()))
    assert not at.exception
    assert "failed while drafting 'If you think the decision is wrong' (section 2 of 3)" \
        in at.error[0].value
    draft = at.session_state[state.DRAFT]
    assert draft.mode == "generative" and not draft.complete
    assert "more than £16,000" in section_editor(at, "reasons").value
    assert "[TO DO" in section_editor(at, "review").value
    assert at.warning[0].value == MACHINE_NOTICE
    assert "No language model is configured" not in texts(at)
    assert at.text_input(key=state.fact_key("line", "recipient_name")).value == "Jane Doe"
    assert at.text_area(key=state.DRAFT_COVER).value == COVER
    assert len(at.download_button) == 2  # the partial draft can still be saved


def test_generative_draft_cites_sources(drafting_app: AppServices,
                                        chat_model: FakeChatModel) -> None:
    for reply in ("You have savings over the limit [1].",
                  "Ask within one month of the date on the decision letter [1].",
                  "Your existing award continues to be paid [2]."):
        chat_model.enqueue(reply)
    at = press_draft(fill_in(open_draft()))
    assert not at.error and at.session_state[state.DRAFT].complete
    assert section_editor(at, "payments").value == "Your existing award continues to be paid [2]."
    assert "**[2] Mandatory reconsideration** — Payment while waiting" in texts(at)


def test_facts_and_draft_survive_a_visit_to_another_page(drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft()))
    section_editor(at, "reasons").input("Edited reasons [1].").run()
    at.switch_page("app_pages/help.py").run()
    at.switch_page(DRAFT_PAGE).run()
    assert at.text_input(key=state.fact_key("line", "recipient_name")).value == "Jane Doe"
    assert at.date_input(key=state.fact_key("date", "decision_date")).value == date(2025, 3, 14)
    assert at.text_area(key=state.DRAFT_COVER).value == COVER
    assert section_editor(at, "reasons").value == "Edited reasons [1]."


def test_a_broken_template_is_not_offered(drafting_app: AppServices, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    text = (folder / "acknowledgement.yaml").read_text().replace("{reply_by}", "{due_date}")
    (folder / "acknowledgement.yaml").write_text(text)
    drafting_app.services.settings = drafting_app.settings.model_copy(
        update={"templates_dir": folder})
    at = open_draft()
    assert "Acknowledgement" not in at.selectbox(key=state.DRAFT_TEMPLATE).options
    assert "1 template file(s) could not be read" in texts(at)


def test_fields_are_laid_out_in_the_templates_order(drafting_app: AppServices) -> None:
    at = open_draft()
    for name in ("decision-letter", "request-for-information"):
        at.selectbox(key=state.DRAFT_TEMPLATE).set_value(name).run()
        shown = [node.key for node in at.main
                 if str(getattr(node, "key", "") or "").startswith("ga_draft_fact_")]
        expected = [state.fact_key(state.widget_kind(f), f.name) for f in template(name).fields]
        assert shown == expected  # "Address" right after "Name", as in the letter
        # a text field allowed more than a line is a box of a few lines (the 400-character
        # decision sentence was hidden in a one-line input)
        long = [f.name for f in template(name).fields if f.type == "text" and f.max_length > 300]
        assert all(state.fact_key("multiline", n) in shown for n in long)
        assert long or name != "decision-letter"
    assert len(at.columns) >= 2  # still two columns


def test_a_field_value_at_its_limit_is_flagged(drafting_app: AppServices) -> None:
    at = fill_in(open_draft())
    assert not at.warning
    box = at.text_input(key=state.fact_key("line", "benefit"))
    box.set_value("B" * 400).run()  # a crafted request: Streamlit cuts it at max_chars
    assert at.text_input(key=state.fact_key("line", "benefit")).value == "B" * 300
    assert "Benefit reached the limit of 300 characters, so anything longer was cut off" \
        in at.warning[0].value
    at.text_area(key=state.fact_key("multiline", "address")).set_value("x" * 300).run()
    assert r"Address \(without postcode\) reached the limit of 300 characters" in texts(at)


def test_the_ni_number_example_is_a_valid_number(drafting_app: AppServices,
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    text = (folder / "acknowledgement.yaml").read_text().replace(
        "  - {name: team,", "  - {name: nino, label: NI number, type: ni_number}\n  - {name: team,")
    (folder / "acknowledgement.yaml").write_text(text)
    drafting_app.services.settings = drafting_app.settings.model_copy(
        update={"templates_dir": folder})
    at = open_draft()
    at.selectbox(key=state.DRAFT_TEMPLATE).set_value("acknowledgement").run()
    example = at.text_input(key=state.fact_key("line", "nino")).placeholder
    assert example.startswith("For example ")
    nino = FieldSpec(name="nino", label="NI number", type="ni_number")
    number = example.removeprefix("For example ")
    assert format_value(nino, number) == number


def test_an_empty_index_is_refused_before_drafting(fake_app: AppServices) -> None:
    fake_app.services.retriever = retriever()  # answers, but the index holds nothing
    at = press_draft(fill_in(open_draft()))
    assert not at.exception
    assert "no guidance has been indexed, so there is nothing to draft it from" \
        in at.error[0].value
    assert at.session_state[state.DRAFT] is None
    assert at.text_area(key=state.DRAFT_COVER).value == COVER


def test_downloads_warn_while_notes_or_extracts_remain(drafting_app: AppServices) -> None:
    at = press_draft(fill_in(open_draft()))
    warning = "This letter is not finished. The files below hold it as it is now"
    found = [w.value for w in at.warning if warning in w.value]
    assert found and "3 note(s) or placeholder(s) still to fill in" in found[0]
    assert "guidance extracts quoted word for word" in found[0]
    assert len(at.download_button) == 2  # still possible
    for section_id in ("reasons", "review", "payments"):
        section_editor(at, section_id).input("You have savings over the limit [1].")
    at.run()
    assert not [w for w in at.warning if warning in w.value]
    assert len(at.download_button) == 2
