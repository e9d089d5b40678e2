"""Real-browser fixtures: `streamlit run` on loopback over a real index of a few GOV.UK guides,
headless Debian Chromium driven by Playwright, and an OpenID Connect provider on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHAT = '[data-testid="stChatInputTextArea"]'  # Streamlit's chat input
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
GUIDES = ("employers-liability-insurance.md", "giving-staff-time-off-for-magistrate-duty.md",
          "apply-apprenticeship.md", "report-stalker.md")
UPLOAD = "education-maintenance-allowance-ema.md"  # uploaded in local mode
UPLOAD_OIDC = "career-development-loans.md"  # uploaded by the OIDC admin
ADMIN_PASSWORD = "browser-test-password"
ADMIN_EMAIL = "ada.admin@example.gov.uk"
CASEWORKER_EMAIL = "casey.worker@example.gov.uk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    data: Path


@pytest.fixture(scope="session")
def guidance(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store/library/sample tree shared by the browser tests: 4 small real GOV.UK guides."""
    root = sample_tree(shared_data, tmp_path_factory.mktemp("browser-data"))
    for name in (UPLOAD, UPLOAD_OIDC):
        shutil.copy(shared_data / "guidance" / "govuk_guides" / name, root / name)
    return root


def sample_tree(shared_data: Path, root: Path) -> Path:
    """``root`` with the app's sample folder holding the GUIDES, which a first start indexes."""
    sample = root / "sample" / "govuk"
    sample.mkdir(parents=True)
    for name in GUIDES:
        shutil.copy(shared_data / "guidance" / "govuk_guides" / name, sample / name)
    return root


def send(page: Any, question: str) -> None:
    """Type ``question`` into the chat input and press Enter."""
    box = page.locator(CHAT)
    box.fill(question)
    box.press("Enter")


def start_app(data: Path, *, secrets: str = "", env: dict[str, str] | None = None,
              host: str = "127.0.0.1") -> RunningApp:
    """`streamlit run streamlit_app.py` on loopback, waiting for /_stcore/health.

    ``{app_port}`` in ``secrets`` becomes the app's port (for the OIDC redirect URI).
    """
    port = free_port()
    secrets_file = data / f"secrets-{port}.toml"
    secrets_file.write_text(secrets.replace("{app_port}", str(port)))
    log = data / f"streamlit-{port}.log"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GA_")}
    environment = {**inherited, "GA_STORE_DIR": str(data / "store"),
                   "GA_LIBRARY_DIR": str(data / "library"),
                   "GA_CONVERSATIONS_DB": str(data / "conversations.sqlite3"),
                   "GA_SAMPLE_GUIDANCE_DIR": str(data / "sample"),
                   "GA_SECRETS_FILE": str(secrets_file), "GA_LLM_PROVIDER": "none",
                   **(env or {})}
    with log.open("wb") as out:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
             "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--secrets.files", str(secrets_file)],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/_stcore/health", process, log)
    return RunningApp(f"http://{host}:{port}", process, log, data)


# secrets the browser tests give the app or type into it: none may ever reach its log
SECRETS = (ADMIN_PASSWORD, "not the password", "browser-test-cookie-secret-not-for-production",
           "browser-test-client-secret")


def stop_app(app: RunningApp) -> None:
    """Stop the app, then check its whole log for every secret it was given or typed."""
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()
    log = app.log.read_text(errors="replace")
    assert not [s for s in SECRETS if s in log], f"a secret reached {app.log}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


PROVIDER_SCRIPT = """
import sys, threading, warnings
warnings.simplefilter("ignore")  # Authlib deprecation notices inside the mock
from oidc_provider_mock import User, run_server_in_thread
users = [User(sub="casey", claims={"email": sys.argv[2], "name": "Casey Worker"}),
         User(sub="ada", claims={"email": sys.argv[3], "name": "Ada Admin"})]
with run_server_in_thread(port=int(sys.argv[1]), user_claims=users):
    threading.Event().wait()
"""


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenID Connect provider on loopback with a caseworker (casey) and an admin (ada).

    It runs in its own process: in pytest's process, warnings are errors, and an Authlib
    deprecation warning inside the provider's thread would turn into an HTTP 500.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", PROVIDER_SCRIPT, str(port), CASEWORKER_EMAIL, ADMIN_EMAIL],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        wait_for(f"{url}/.well-known/openid-configuration", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Poll ``url`` until it answers 200, or fail with the process's log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"{url} did not answer:\n{log.read_text()[-3000:]}")


def screenshot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.wait_for_timeout(400)  # let transitions settle
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_until_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait for the script run to finish (Streamlit's status widget disappears)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_timeout(300)


def settle(page: Any, timeout_ms: int = 30_000) -> None:
    """Wait until no script run is in progress and no element is drawn stale: while Streamlit
    reruns (after the last field typed, say) it fades the page, and axe measures the faded
    colours (a colour-contrast failure that is not the page's)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')", timeout=timeout_ms)
    page.wait_for_timeout(400)  # the fade back is an animation


def check_accessibility(page: Any, name: str) -> None:
    """axe-core on the settled page: fail on serious or critical violations, save the report."""
    from axe_playwright_python.sync_playwright import Axe

    settle(page)

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}-axe.txt").write_text(results.generate_report())
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                              f"{[n['target'] for n in v['nodes']][:5]}" for v in bad)
