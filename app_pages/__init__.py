"""The Streamlit pages: UI only. The engine lives in ``assistant/`` and ``ingest/``."""
