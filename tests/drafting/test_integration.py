"""Integration: generative drafting over HTTP (loopback OpenAI-compatible server), and the CLI on a
real index of the sample guidance, exported to Word and opened in LibreOffice."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from assistant.adapters.openai_chat import OpenAIChatModel
from assistant.config import PROJECT_ROOT, Settings
from assistant.drafting import DraftError, draft_letter
from assistant.letter_checks import check_draft
from tests.drafting.builders import facts, retriever, soffice, template
from tests.openai_server import OpenAIServer, Reply

pytest_plugins = ("tests.openai_server",)
pytestmark = pytest.mark.integration
COVER = "explain why the claim was refused and how to ask for a review"


def _model(server: OpenAIServer) -> OpenAIChatModel:
    settings = Settings(llm_provider="openai", llm_base_url=server.base_url, llm_max_retries=0,
                        llm_timeout_s=10)
    return OpenAIChatModel(settings)


def test_generative_draft_over_http(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(
        Reply("You told us you have savings of £20,000. This is over the limit [1]."),
        Reply("You can ask us to look at the decision again within one month [1]."),
        Reply("We will keep paying your award while we look again [2]."),
    )
    draft = draft_letter(template(), facts(), COVER, retriever=retriever(),
                         llm=_model(openai_server))
    assert draft.complete and draft.mode == "generative"
    assert draft.section("payments").text == (
        "We will keep paying your award while we look again [2].")
    assert [f.kind for f in check_draft(draft, template())] == []
    body = openai_server.requests[0].body
    user = body["messages"][-1]["content"]
    assert body["stream"] is True and '<source n="1"' in user and "<case_facts>" in user


def test_server_error_mid_draft_keeps_the_finished_sections(openai_server: OpenAIServer) -> None:
    openai_server.enqueue(Reply("Over the limit [1]."), Reply(status=500))
    with pytest.raises(DraftError, match=r"section 2 of 3\).*service had an error \(500\)"
                       r".*Your facts and the sections already drafted are kept") as caught:
        draft_letter(template(), facts(), COVER, retriever=retriever(), llm=_model(openai_server))
    partial = caught.value.partial
    assert partial.section("reasons").text == "Over the limit [1]."
    assert partial.facts == facts() and len(openai_server.requests) == 2


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real index (MiniLM, embedded Chroma) of the sample guidance."""
    from ingest.service import ingest_paths

    store = tmp_path_factory.mktemp("store")
    settings = Settings(store_dir=store)
    paths = sorted((PROJECT_ROOT / "sample_guidance" / "guidance").iterdir())
    report = ingest_paths(settings, paths, "guidance")
    assert report.failed == []
    yield store


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env_safe = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "GA_LLM_PROVIDER": "none"}
    return subprocess.run([sys.executable, "-m", "assistant.draft", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, env=env_safe)


def test_cli_drafts_offline_to_word_from_the_sample_guidance(sample_store: Path,
                                                             tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**facts().fields, "letter_date": "2025-04-01"}))
    out = tmp_path / "letter.docx"
    result = _cli("--store", str(sample_store), "--template", "decision-letter", "--facts",
                  str(case), "--cover", COVER, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Machine-drafted" in result.stderr and "Check: " in result.stderr
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "mandatory reconsideration" in text.lower()
    assert "Mandatory reconsideration of benefit decisions" in text  # in the Sources list
    assert "Machine-drafted" not in text
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=120)
    assert "Our reference: HSA-2025-004512" in (tmp_path / "letter.txt").read_text()


def test_cli_reports_bad_input_without_a_traceback(sample_store: Path, tmp_path: Path) -> None:
    unknown = _cli("--store", str(sample_store), "--template", "decision-letter",
                   "--field", "nino=AB123456C")
    assert unknown.returncode == 2
    assert "Error: The template 'decision-letter' has no field nino" in unknown.stderr
    missing = _cli("--store", str(sample_store), "--template", "acknowledgement",
                   "--field", "recipient_name=Jane Doe")
    assert missing.returncode == 2 and "Fill in the required facts" in missing.stderr
    assert "Traceback" not in unknown.stderr + missing.stderr


def test_offline_review_section_quotes_the_time_limit_its_guidance_asks_for(
        sample_store: Path) -> None:
    from assistant.services import build_services

    settings = Settings(store_dir=sample_store)
    services = build_services(settings)
    case = facts(text="She did not tell us her partner moved in on 1 January 2025.",
                 decision="You were overpaid £1,240.50 and we will recover it.")
    draft = draft_letter(template(), case, "explain the overpayment and how to ask for a review",
                         retriever=services.retriever, llm=None, settings=settings,
                         embedder=services.embedder)
    review = draft.section("review")
    assert "within one month of the date on the decision letter" in review.text
    assert any(draft.source(n).section == "Time limits for asking"
               for p in review.paragraphs for n in p.cited)
    reasons = draft.section("reasons").paragraphs[1].text
    assert not reasons.startswith(("Recovering benefit overpayments", "Reference", "Owner"))


def test_a_refusal_and_a_complaint_reply_quote_the_time_limits_of_the_sample_guidance(
        sample_store: Path) -> None:
    """From a letter drafter's review: a Housing Costs Top-up refusal quoted only the 13-month
    late-request rule ("one month" in words did not count as a time limit), and a complaint reply
    left out the Tier 2 review."""
    from assistant.services import build_services

    settings = Settings(store_dir=sample_store)
    services = build_services(settings)
    run = {"retriever": services.retriever, "llm": None, "settings": settings,
           "embedder": services.embedder}
    refusal = facts(benefit="Housing Costs Top-up",
                    decision="We cannot pay you Housing Costs Top-up because your savings of "
                             "£17,250 are over the £16,000 limit.")
    draft = draft_letter(template(), refusal, COVER, **run)  # type: ignore[arg-type]
    assert "within one month of the date on the decision letter" in draft.section("review").text
    reply = draft_letter(template("complaint-response"), facts("complaint-response"),
                         "apologise for the delay and say how to escalate",
                         **run)  # type: ignore[arg-type]
    assert "within 1 month of the date of the Tier 1 reply" in reply.section("escalate").text


def test_cli_writes_the_copy_to_send_without_sources(sample_store: Path, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**facts().fields, "letter_date": "2025-04-01"}))
    out = tmp_path / "letter.txt"
    result = _cli("--store", str(sample_store), "--template", "decision-letter", "--facts",
                  str(case), "--cover", COVER, "--out", str(out), "--without-sources")
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "Dear Jane Doe," in text and "Sources" not in text and "[1]" not in text
