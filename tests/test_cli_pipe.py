"""Command-line tools piped into a reader that stops early end quietly, not with a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHATTY = """
from assistant.cli import run

def main() -> int:
    for n in range(200_000):
        print(f"line {n} of a long answer")
    return 0

run(main)
"""


def test_a_closed_pipe_ends_the_tool_quietly() -> None:
    with subprocess.Popen([sys.executable, "-c", CHATTY], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == b"line 0 of a long answer\n"
        proc.stdout.close()  # like `| head -1`
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_the_tools_exit_code_passes_through() -> None:
    done = subprocess.run([sys.executable, "-c", "from assistant.cli import run; run(lambda: 3)"],
                          cwd=ROOT, capture_output=True, timeout=60, check=False)
    assert done.returncode == 3 and done.stderr == b""
