"""Consult page, results: themes table, bar chart, quotes, response lists and downloads.

Respondent text is shown with ``st.text`` or ``st.dataframe`` (never parsed), or, where Streamlit
renders Markdown (tables, expander labels), escaped with ``plain`` so it shows exactly as typed.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.sources import escape_markdown
from consult.analysis import QuestionResult
from consult.export import export_csv, export_xlsx
from consult.positions import describe_basis
from consult.report import (
    ThemeSummary,
    positions_by_default,
    quote_line,
    repeat_counts,
    summarise,
)
from consult.responses import NO_REASON, Question
from consult.review import review_to_json
from consult.themes import Framework, framework_to_json

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=\"'^])")
QUOTE_CHARS = 600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain(text: str) -> str:
    """Text for a place that renders Markdown, escaped so it shows as typed (one line), with
    addresses as code spans; respondent text escapes more characters than guidance does."""
    return escape_markdown(text, _MARKDOWN)


def import_counts(questions: Sequence[Question]) -> list[dict[str, Any]]:
    """One row per question: how many answers are themed and how many were set aside, and why."""
    rows = []
    for q in questions:
        counts = q.counts()
        rows.append({"Question": plain(q.text), "To theme": counts["themed"],
                     "Empty": counts.get("empty", 0), "N/A": counts.get("not applicable", 0),
                     "Repeated respondent id": counts.get("duplicate id", 0),
                     "No reason given": counts[NO_REASON],
                     "Same text as another": counts["duplicate text"],
                     "Too long (shortened)": counts["truncated"]})
    return rows


def show_set_aside(questions: Sequence[Question]) -> None:
    """The answers import set aside (empty, N/A, repeated id, no reason given), listed, never
    dropped silently."""
    rows = [{"Question": q.text, "Respondent": e.response_id, "Reason": e.reason,
             "Answer": e.text} for q in questions for e in q.excluded]
    rows += [{"Question": q.text, "Respondent": r.response_id, "Reason": NO_REASON,
              "Answer": r.text} for q in questions for r in q.responses if r.no_reason]
    with st.expander(f"Answers set aside ({len(rows)})"):
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")
        else:
            st.caption("None: every answer will be themed.")


def _with_share(count: int, total: int) -> str:
    return f"{count} ({count / total:.0%})" if total else "0"


def theme_table(rows: list[ThemeSummary]) -> list[dict[str, Any]]:
    """The themes table: counts, share of responses and split by position."""
    return [{"Theme": plain(s.theme.label), "Description": plain(s.theme.description),
             "Responses": s.count, "Share": f"{s.share:.0%}",
             "Agree": _with_share(s.by_position["agree"], s.count),
             "Disagree": _with_share(s.by_position["disagree"], s.count),
             "Unclear": _with_share(s.by_position["unclear"], s.count),
             "Evidence-rich": s.evidence_rich,
             "Repeated text": s.repeats} for s in rows]


def chart_data(rows: list[ThemeSummary]) -> pd.DataFrame:
    """Responses per theme, split by position, for a stacked bar chart."""
    labels = [s.theme.label if len(s.theme.label) <= 40 else s.theme.label[:39] + "…"
              for s in rows]
    return pd.DataFrame({"Theme": labels,
                         "Agree": [s.by_position["agree"] for s in rows],
                         "Disagree": [s.by_position["disagree"] for s in rows],
                         "Unclear": [s.by_position["unclear"] for s in rows]})


def show_overview(result: QuestionResult) -> None:
    """Headline figures for one question."""
    positions = result.positions
    bare = sum(r.no_reason for r in result.question.responses)
    cols = st.columns(5)
    cols[0].metric("Responses themed", len(positions) - bare)
    cols[1].metric("Agree", positions.count("agree"))
    cols[2].metric("Disagree", positions.count("disagree"))
    cols[3].metric("Unclear", positions.count("unclear"))
    cols[4].metric("Evidence-rich", sum(bool(e) for e in result.evidence))
    if bare:
        st.caption(f"{bare:,} more gave a position but no reason (“Agree”, “No”, “?”): their "
                   "positions are counted above, and they are listed but not themed.")
    guessed = len(positions_by_default(result))
    if guessed:
        st.caption(f"{guessed:,} of {len(positions):,} positions rest on no stance word and were "
                   "read as agree (how analysts usually code an answer that engages with the "
                   "proposal's aims). A complaint with no stance word may be disagreement: check "
                   "them in the response list (\"Position read from\") and correct them under "
                   "Review.")


def show_themes(result: QuestionResult) -> None:
    """Themes table, bar chart and representative quotes."""
    rows = summarise(result)
    if not rows:
        st.info("No themes yet. Add one in the review below.")
        return
    st.table(theme_table(rows), hide_index=True, border="horizontal")
    # horizontal: Streamlit puts ``y`` (the counts) across, so y_label names the across axis
    st.bar_chart(chart_data(rows), x="Theme", y=["Agree", "Disagree", "Unclear"],
                 horizontal=True, sort=False, x_label="", y_label="Responses",
                 color=["#1d70b8", "#d4351c", "#505a5f"], height=60 + 32 * len(rows),
                 alt="Responses per theme, split into agree, disagree and unclear.")
    if any(s.repeats for s in rows):
        st.caption("“Repeated text”: responses in the theme whose text repeats an earlier "
                   "response's word for word (a campaign or a repeated submission); they are "
                   "counted in the theme's size.")
    st.markdown("**Representative quotes**")
    for s in rows:
        with st.expander(f"{plain(s.theme.label)} — {s.count} responses"):
            if s.theme.description:
                st.caption(plain(s.theme.description))
            for rid in s.quotes:
                st.text(quote_line(result, rid, QUOTE_CHARS))


def response_rows(result: QuestionResult, rows: Sequence[int]) -> list[dict[str, Any]]:
    """Responses as table rows (plain cells: st.dataframe never parses them)."""
    labels = {t.theme_id: t.label for t in result.themes}
    responses = result.question.responses
    repeats = repeat_counts(result)
    return [{"Respondent": responses[i].response_id,
             "Themes": NO_REASON if responses[i].no_reason and not result.assignments[i]
             else "; ".join(labels.get(t, t) for t in result.assignments[i]),
             "Position": result.positions[i],
             "Position read from": describe_basis(
                 result.position_worded()[i], result.positions[i],
                 responses[i].response_id in result.position_corrections),
             "Evidence": ", ".join(result.evidence[i]),
             "Corrected": "yes" if result.corrected(responses[i].response_id) else "",
             "Repeated text": _shared(repeats[i]),
             "Response": responses[i].text} for i in rows]


def _shared(count: int) -> str:
    return f"{count} responses" if count > 1 else ""


def show_responses(result: QuestionResult) -> None:
    """Unmatched responses, evidence-rich ones, and every response with its themes."""
    unmatched = result.unmatched()
    rich = [i for i, e in enumerate(result.evidence) if e]
    for title, rows in ((f"Unmatched responses ({len(unmatched)})", unmatched),
                        (f"Evidence-rich responses ({len(rich)})", rich),
                        (f"All responses and their themes ({len(result.positions)})",
                         range(len(result.positions)))):
        with st.expander(title):
            if rows:
                st.dataframe(response_rows(result, rows), hide_index=True, width="stretch")
            else:
                st.caption("None.")


def xlsx_bytes(results: Sequence[QuestionResult]) -> bytes:
    """The Themes and Mappings workbook."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "consultation.xlsx"
        export_xlsx(results, path)
        return path.read_bytes()


def csv_bytes(results: Sequence[QuestionResult], which: int) -> bytes:
    """The themes CSV (``which=0``) or the mappings CSV (``which=1``)."""
    with tempfile.TemporaryDirectory() as folder:
        return export_csv(results, Path(folder) / "consultation.csv")[which].read_bytes()


def show_downloads(results: Sequence[QuestionResult], source: str, rows: int) -> None:
    """Downloads of every analysed question, built when clicked."""
    cols = st.columns(4)
    cols[0].download_button("Download Excel (.xlsx)", lambda: xlsx_bytes(results),
                            file_name="consultation-themes.xlsx", mime=XLSX, type="primary",
                            icon=":material/download:", on_click="ignore")
    cols[1].download_button("Download themes (.csv)", lambda: csv_bytes(results, 0),
                            file_name="consultation-themes.csv", mime="text/csv",
                            icon=":material/download:", on_click="ignore")
    cols[2].download_button("Download mappings (.csv)", lambda: csv_bytes(results, 1),
                            file_name="consultation-mappings.csv", mime="text/csv",
                            icon=":material/download:", on_click="ignore")
    cols[3].download_button("Save review (.json)",
                            lambda: review_to_json(results, source, rows).encode(),
                            file_name="consultation-review.json", mime="application/json",
                            icon=":material/save:", on_click="ignore")
    st.caption("The workbook has a Themes sheet and a Mappings sheet (one row per response, "
               "including those set aside), with every answer in full (over 32,767 characters, "
               "Excel's limit, it is cut and says so; the CSV files keep it whole). Text that a "
               "spreadsheet would read as a formula is kept as text: in the workbook as typed, "
               "in the CSV files after an apostrophe. The saved review holds the responses, "
               "themes, corrections and sign-offs: open it under “Resume a saved review” in "
               "step 1 to carry on later. It contains what respondents wrote, so store it as you "
               "would the responses file.")


def framework_json(framework: Framework) -> bytes:
    """A signed-off framework as the JSON file ``python -m consult --themes`` reads."""
    return json.dumps(framework_to_json(framework), indent=2, ensure_ascii=False).encode()
