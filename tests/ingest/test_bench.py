"""The ingestion benchmark runs end to end on a tiny subset and prints the figures it promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.bench import main

pytestmark = pytest.mark.integration


def test_bench_quick_subset_prints_every_figure(shared_data: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(shared_data / "guidance"), "--quick", "1", "--skip-textbook",
                 "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)["ours_full"]
    assert ours["documents"] >= 3 and ours["chunks"] > 0
    assert ours["unique_chunks"] <= ours["chunks"]
    assert ours["ratio_total_to_embedding_only"] > 0
    assert ours["unchanged_rerun_embedded"] == 0  # nothing changed: nothing re-embedded
    assert ours["changed_rerun_updated"] == 1
    assert 1 <= ours["changed_rerun_embedded"] < ours["chunks"]


# The textbook recipe is the LangChain community loaders, deprecated upstream on purpose.
@pytest.mark.filterwarnings("ignore:`langchain-community` is being sunset:DeprecationWarning")
def test_bench_skip_full_runs_only_the_side_by_side(shared_data: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(shared_data / "guidance"), "--quick", "1", "--skip-full",
                 "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) == {"side_by_side"}
    side = results["side_by_side"]
    assert side["ours"]["chunks"] > 0 and side["textbook"]["chunks"] > 0
    assert side["speedup"] > 0
