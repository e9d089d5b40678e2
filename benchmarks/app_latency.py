"""App latency: start to ready with an existing index, Enter to first words (offline), and the
server time per question beyond the engine's own.

    python benchmarks/app_latency.py [--runs 3] [--questions 5] [--data DIR]

Indexes the bundled sample guidance into a temporary store once (by starting the app), then:
1. starts `streamlit run` on the existing index ``--runs`` times, timing spawn -> /_stcore/health,
   spawn -> the chat input visible in headless Chromium, spawn -> the services ready (the Ask
   page's hint drawn), and for a second visitor page load -> chat input (the browser's share);
2. in the browser, times Enter -> the first answer words in the page (a MutationObserver in the
   page stamps both with performance.now()), one new session per question;
3. in-process with AppTest and the real services, times each question's script run and the time
   spent inside the engine (iterating the AnswerStream); the difference is the app's overhead
   (an upper bound: it includes AppTest's own element-tree handling).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHAT = '[data-testid="stChatInputTextArea"]'
READY_TEXT = "Ask a question in plain English"  # drawn once the services are ready
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUESTIONS = [
    "How many days of annual leave can I carry over?",
    "How do I report sickness absence?",
    "How long does a claimant have to ask for a mandatory reconsideration?",
    "Can an overpayment be recovered from a claimant's benefit?",
    "How do I respond to a subject access request?",
    "Who is eligible for a hardship payment?",
    "How long is paternity leave?",
]
FIRST_WORDS_JS = """(before) => {
  window.__t0 = null;
  window.__firstWords = null;
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && window.__t0 === null) window.__t0 = performance.now();
  }, true);
  const observer = new MutationObserver(() => {
    const msgs = [...document.querySelectorAll('[data-testid="stChatMessage"]')]
      .filter(m => m.querySelector('[data-testid="stChatMessageAvatarAssistant"]'));
    if (msgs.length <= before || window.__t0 === null) return;
    const text = msgs[msgs.length - 1].querySelector('[data-testid="stMarkdownContainer"]');
    if (text && text.innerText.trim().length > 0) {
      window.__firstWords = performance.now() - window.__t0;
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def environment(data: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GA_")}
    return {**inherited, "GA_STORE_DIR": str(data / "store"),
            "GA_LIBRARY_DIR": str(data / "library"),
            "GA_CONVERSATIONS_DB": str(data / "conversations.sqlite3"),
            "GA_SAMPLE_GUIDANCE_DIR": str(data / "sample"), "GA_LLM_PROVIDER": "none",
            "GA_SECRETS_FILE": str(data / "none.toml")}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(data: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=environment(data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}", started


def wait_healthy(url: str) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.02)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              headless=True, args=ARGS)
        yield instance
        instance.close()


def start_to_ready(data: Path, chromium: Any, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"health_s": [], "chat_input_s": [], "services_ready_s": [],
                                   "warm_session_chat_input_s": []}
    for _ in range(runs):
        process, url, started = spawn(data)
        try:
            wait_healthy(url)
            out["health_s"].append(time.perf_counter() - started)
            page = chromium.new_page()
            page.goto(url)
            page.locator(CHAT).wait_for(timeout=120_000)
            out["chat_input_s"].append(time.perf_counter() - started)
            page.get_by_text(READY_TEXT).wait_for(timeout=120_000)
            out["services_ready_s"].append(time.perf_counter() - started)
            page.close()
            page = chromium.new_page()  # a second visitor: the browser's own share of the time
            opened = time.perf_counter()
            page.goto(url)
            page.locator(CHAT).wait_for(timeout=120_000)
            out["warm_session_chat_input_s"].append(time.perf_counter() - opened)
            page.close()
        finally:
            stop(process)
    return out


def first_words(url: str, chromium: Any, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        page = chromium.new_page()
        page.goto(url)
        page.locator(CHAT).wait_for(timeout=120_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        page.evaluate(FIRST_WORDS_JS, 0)
        page.locator(CHAT).fill(question)
        page.locator(CHAT).press("Enter")
        page.wait_for_function("() => window.__firstWords !== null", timeout=60_000)
        times.append(float(page.evaluate("() => window.__firstWords")) / 1000)
        page.close()
    return times


def server_overhead(data: Path, questions: list[str]) -> list[dict[str, float]]:
    """AppTest run time per question minus the time spent inside the engine."""
    os.environ.update(environment(data))
    from streamlit.testing.v1 import AppTest

    import app_pages.services as app_services
    import assistant.answering as answering
    from assistant.config import Settings

    app = app_services.build_app_services(Settings())
    app_services.build_app_services = lambda _settings: app  # type: ignore[assignment]
    engine = {"s": 0.0}
    real = answering.answer_question

    class Timed:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __iter__(self) -> Iterator[str]:
            iterator = iter(self.stream)
            while True:
                started = time.perf_counter()
                try:
                    piece = next(iterator)
                except StopIteration:
                    engine["s"] += time.perf_counter() - started
                    return
                engine["s"] += time.perf_counter() - started
                yield piece

        @property
        def final(self) -> Any:
            return self.stream.final

    answering.answer_question = lambda *a, **k: Timed(real(*a, **k))  # type: ignore[assignment]
    rows = []
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    for question in [questions[0], *questions]:  # the first warms caches and is dropped
        engine["s"] = 0.0
        at.session_state["ga_conversation_id"] = None
        at.chat_input[0].set_value(question)
        started = time.perf_counter()
        at.run()
        total = time.perf_counter() - started
        started = time.perf_counter()
        at.run()  # the same page again with no question: the cost of drawing it
        idle = time.perf_counter() - started
        rows.append({"total_s": total, "engine_s": engine["s"], "app_s": total - engine["s"],
                     "idle_s": idle})
    return rows[1:]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 3), "max": round(ordered[-1], 3),
            "min": round(ordered[0], 3), "n": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--data", type=Path, default=None, help="reuse this data folder")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="ga-app-bench-"))
    if not (data / "sample").exists():
        shutil.copytree(ROOT / "sample_guidance" / "guidance", data / "sample" / "guidance")
    questions = QUESTIONS[: args.questions]
    results: dict[str, Any] = {}
    for chromium in browser():
        process, url, started = spawn(data)  # first start: index the sample guidance
        wait_healthy(url)
        page = chromium.new_page()
        page.goto(url)
        page.locator(CHAT).wait_for(timeout=300_000)
        results["first_start_to_chat_input_s"] = round(time.perf_counter() - started, 2)
        page.get_by_text(READY_TEXT).wait_for(timeout=300_000)  # sample guidance indexed
        results["first_start_to_indexed_s"] = round(time.perf_counter() - started, 2)
        page.close()
        results["enter_to_first_words_s"] = summary(first_words(url, chromium, questions))
        stop(process)
        ready = start_to_ready(data, chromium, args.runs)
        results["start_to_health_s"] = summary(ready["health_s"])
        results["start_to_chat_input_s"] = summary(ready["chat_input_s"])
        results["start_to_services_ready_s"] = summary(ready["services_ready_s"])
        results["warm_session_goto_to_chat_input_s"] = summary(
            ready["warm_session_chat_input_s"])
    rows = server_overhead(data, questions)
    results["apptest_question_total_s"] = summary([r["total_s"] for r in rows])
    results["engine_s"] = summary([r["engine_s"] for r in rows])
    results["server_overhead_s"] = summary([r["app_s"] for r in rows])
    results["apptest_plain_rerun_s"] = summary([r["idle_s"] for r in rows])
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
