"""`python -m ingest PATH... [--store DIR] [--collection NAME] [--sync] [--json]`."""

import sys

from ingest.cli import main

sys.exit(main())
