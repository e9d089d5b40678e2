"""End to end with st.login against a real OpenID Connect provider on loopback
(oidc-provider-mock): a caseworker cannot open Admin; an admin (by e-mail) uploads a file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    UPLOAD_OIDC,
    RunningApp,
    check_accessibility,
    screenshot,
    start_app,
    stop_app,
    wait_until_idle,
)
from tests.browser.test_local_mode import CHAT, upload_and_check

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRETS = """
admin_emails = ["{admin}"]

[auth]
redirect_uri = "http://localhost:{{app_port}}/oauth2callback"
cookie_secret = "browser-test-cookie-secret-not-for-production"
client_id = "guidance-assistant"
client_secret = "browser-test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
"""


@pytest.fixture(scope="module")
def oidc_app(guidance: Path, oidc_provider: str) -> Iterator[RunningApp]:
    secrets = SECRETS.format(admin=ADMIN_EMAIL, provider=oidc_provider)
    # A local admin password is set too: under OIDC it must grant nothing.
    app = start_app(guidance, secrets=secrets, env={"GA_ADMIN_PASSWORD": ADMIN_PASSWORD},
                    host="localhost")
    yield app
    stop_app(app)


def sign_in(page: Any, app: RunningApp, user: str, shot: str) -> None:
    """Sign in through the provider's authorise page as the predefined user ``user``."""
    page.goto(app.url)
    page.get_by_role("button", name="Sign in").click(timeout=120_000)
    page.wait_for_url(re.compile(r"/oauth2/authorize\?"))
    screenshot(page, f"{shot}-provider")
    page.get_by_role("button", name=re.compile(user, re.IGNORECASE)).first.click()
    page.locator(CHAT).wait_for(timeout=60_000)
    wait_until_idle(page)


def nav_labels(page: Any) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [links.nth(i).inner_text().strip() for i in range(links.count())]


def test_signed_out_user_sees_only_sign_in(oidc_app: RunningApp, page: Any) -> None:
    page.goto(oidc_app.url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=120_000)
    wait_until_idle(page)
    assert page.locator(CHAT).count() == 0
    screenshot(page, "10-oidc-sign-in")
    check_accessibility(page, "10-oidc-sign-in")


def test_caseworker_cannot_open_admin(oidc_app: RunningApp, page: Any) -> None:
    sign_in(page, oidc_app, "casey", "11-oidc-caseworker")
    assert "Casey Worker" in page.inner_text("body") and "(caseworker)" in page.inner_text("body")
    assert "Admin" not in " ".join(nav_labels(page))
    screenshot(page, "12-oidc-caseworker-ask")
    page.goto(f"{oidc_app.url}/admin")  # a crafted URL
    page.locator(CHAT).wait_for()
    wait_until_idle(page)
    assert page.get_by_role("tab", name="Upload").count() == 0
    assert page.get_by_role("heading", name="Admin").count() == 0
    screenshot(page, "13-oidc-caseworker-admin-url")


def test_admin_signs_in_and_uploads(oidc_app: RunningApp, page: Any, guidance: Path) -> None:
    sign_in(page, oidc_app, "ada", "14-oidc-admin")
    assert "(administrator)" in page.inner_text("body")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Admin").click()
    page.get_by_role("tab", name="Documents").wait_for()
    wait_until_idle(page)
    screenshot(page, "15-oidc-admin-documents")
    upload_and_check(page, guidance / UPLOAD_OIDC, "16-oidc-admin-uploaded")
    page.get_by_role("tab", name="Index health").click()
    screenshot(page, "17-oidc-admin-health")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/oauth2/end_session\?"))  # the provider's sign-out
    screenshot(page, "18-oidc-signed-out-at-provider")
    page.goto(oidc_app.url)
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator(CHAT).count() == 0
