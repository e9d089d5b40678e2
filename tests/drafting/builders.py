"""Builders for the drafting tests: guidance chunks, a retriever over them, and case facts."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.drafting import CaseFacts
from assistant.templates import LetterTemplate, find_template
from assistant.testing import FakeRetriever
from assistant.types import Chunk, ScoredChunk

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
SAMPLE_TEMPLATES = ("acknowledgement", "complaint-response", "decision-letter",
                    "request-for-information")

MR_TEXT = (
    "The customer must ask for a mandatory reconsideration within one month of the date on the "
    "decision letter. A late request can be accepted up to 13 months after the date of the "
    "decision if the customer gives a good reason."
)
PAY_TEXT = (
    "The customer's existing award continues to be paid while the reconsideration is looked "
    "at. A mandatory reconsideration does not stop the recovery of an overpayment."
)


def soffice() -> str:
    """LibreOffice's command; a missing LibreOffice fails the test (``make test`` installs it)."""
    found = shutil.which("libreoffice") or shutil.which("soffice")
    if found is None:
        pytest.fail("LibreOffice is missing: apt-get install -y libreoffice-writer-nogui "
                    "(make test installs it)")
    return found


def chunk(text: str, *, doc: str = "mandatory-reconsideration", section: str = "Time limits",
          n: int = 0) -> Chunk:
    """A guidance chunk with everything a citation needs."""
    return Chunk(
        chunk_id=f"guidance/{doc}.html#v1#{n}", text=text, doc_id=f"guidance/{doc}.html",
        collection="guidance", title=doc.replace("-", " ").capitalize(),
        source=f"{doc}.html", doc_type="html", section=section,
        url=f"https://guidance.dfhs.example/{doc}", updated="2025-05-21", position=n,
    )


def retriever(*chunks: Chunk, top: float = 0.9, min_relevance: float = 0.3) -> FakeRetriever:
    """A FakeRetriever answering every query with ``chunks``, best first."""
    default = (chunk(MR_TEXT), chunk(PAY_TEXT, section="Payment while waiting", n=1))
    scored = [ScoredChunk(c, top - 0.05 * i) for i, c in enumerate(chunks or default)]
    return FakeRetriever(scored, min_relevance=min_relevance)


def template(name: str = "decision-letter") -> LetterTemplate:
    """A sample template from the repository's templates folder."""
    return find_template(name, TEMPLATES_DIR)


BASE_FIELDS = {
    "recipient_name": "Jane Doe",
    "address": "1 High Street\nLeeds",
    "postcode": "ls1 4ap",
    "reference": "HSA-2025-004512",
    "caseworker_name": "Sam Patel",
}
EXTRA_FIELDS = {
    "decision-letter": {"benefit": "Household Support Allowance", "decision_date": "2025-03-14",
                        "decision": "We cannot pay you Household Support Allowance."},
    "request-for-information": {"matter": "your request for a mandatory reconsideration",
                                "information_needed": "Your last 3 bank statements.",
                                "reply_by": "2025-04-15"},
    "acknowledgement": {"request_type": "complaint", "received_date": "2025-03-20",
                        "reply_by": "2025-04-10"},
    "complaint-response": {"complaint_date": "2025-03-01",
                           "complaint_summary": "the delay in paying your Housing Costs Top-up",
                           "outcome": "We agree that we took too long."},
}


def facts(name: str = "decision-letter", text: str = "Savings of £20,000 were declared.",
          **fields: str) -> CaseFacts:
    """Complete case facts for the sample template ``name``, with ``fields`` overriding."""
    values = {**BASE_FIELDS, **EXTRA_FIELDS[name], **fields}
    return CaseFacts({k: v for k, v in values.items() if v}, text, date(2025, 4, 1))
