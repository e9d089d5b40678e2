"""Consult: consultation responses into positions, themes and mappings, with human review.

No streamlit here: the CLI (``python -m consult``), the evaluation (``python -m consult.eval``)
and the app's Consult page all drive the same functions.
"""
