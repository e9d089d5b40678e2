"""`python -m ingest PATH... [--store DIR] [--collection NAME] [--sync] [--json]`."""

from assistant.cli import run
from ingest.cli import main

run(main)
