"""Help: asking good questions, offline mode, citations, and who to contact."""

from __future__ import annotations

import streamlit as st

from app_pages.access import oidc_enabled
from app_pages.services import load_settings

settings = load_settings()
# in local mode (no sign-in) everyone shares one conversation list: say so, as the sidebar does
saved = ("Your conversations are saved for you only" if oidc_enabled() else
         "This app runs without sign-in, so **everyone who uses it shares the saved "
         "conversations**: do not type personal details you would not show colleagues")
mode = ("This app is in **offline mode**: no language model is configured."
        if settings.offline
        else "This app uses a language model to write answers from the guidance.")

HELP = """
### Asking good questions
- Ask one thing at a time, in plain English: *Can a customer ask for a mandatory
  reconsideration after one month?*
- Name the topic and the situation: *overpayment recovery when the claimant has died* finds more
  than *what happens now?*
- Follow-up questions are fine: the assistant reads them with the rest of the conversation.
- Use **Search in** in the sidebar to limit answers to some collections or document types.

### Offline mode
{mode} In offline mode, answers are **extracts**: sentences quoted word for word from the
guidance, chosen because they match your question. Nothing is rewritten or summarised, so read
the sources for the full context.

If the guidance does not cover your question, the assistant says so and lists the closest
documents it found, rather than guessing. What those documents say is folded away under the
answer: if your wording missed the right guide by a little, its passage is there, but it is not
an answer, so check it fits your case.

### How citations work
Each answer numbers its sources: **[1]**, **[2]** and so on. Select a number in the answer to jump
to that source. Under each answer you can see the document's title, the section, the page, the
quoted passage (the words of your question are highlighted), **Open on the web** (or **Open on
GOV.UK**) for the document's own web address when it has one, and a download of the document
itself.

Always check an answer against its sources before you act on it.

### Feedback and your conversations
Use the thumbs under an answer to say whether it helped, and add a comment if you like: the
guidance team reads them. {saved}; rename, export (Markdown or Word) or delete them from the
sidebar. An export keeps each answer's sources and warnings.

### Other pages
- **Draft a letter**: choose a template, fill in the case facts and say what the letter must
  cover; each section is drafted from the guidance with its sources numbered. Check the findings
  under "Before you send this letter", then download it as Word (with or without the sources).
- **Consult**: upload consultation responses (CSV, Excel or a Themefinder folder) to sort them
  into themes, review and rename the themes, and export the results.
- **Admin** (administrators only): add, replace and remove guidance documents, reindex, and check
  the index.

### Who to contact
For questions about the guidance itself, or if something in the app is not working, contact
{contact}.
"""
st.title("Help")
st.markdown(HELP.format(mode=mode, contact=settings.support_contact, saved=saved))
