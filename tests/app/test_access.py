"""Roles: admin only by configured e-mail / group under OIDC, or the local password."""

from __future__ import annotations

import pytest

from assistant.access import check_admin_password, local_identity, oidc_identity
from assistant.config import Settings


def settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def test_oidc_admin_by_email_case_insensitively() -> None:
    s = settings(admin_emails=("Admin@Dept.gov.uk",))
    who = oidc_identity({"is_logged_in": True, "email": "admin@dept.GOV.uk", "name": "A"}, s)
    assert who is not None and who.is_admin and who.user_id == "admin@dept.gov.uk"


@pytest.mark.parametrize("verified", [False, "false"])
def test_an_unverified_email_grants_nothing(verified: object) -> None:
    claims = {"is_logged_in": True, "email": "BOSS@dept.gov.uk", "email_verified": verified,
              "sub": "attacker"}
    admins = settings(admin_emails=("boss@dept.gov.uk",))
    who = oidc_identity(claims, admins)
    assert who is not None and not who.is_admin and who.user_id == "sub:attacker"
    trusted = oidc_identity({**claims, "email_verified": True}, admins)
    assert trusted is not None and trusted.is_admin and trusted.user_id == "boss@dept.gov.uk"


def test_oidc_admin_by_group_and_caseworker_otherwise() -> None:
    s = settings(admin_groups=("guidance-admins",))
    admin = oidc_identity({"is_logged_in": True, "email": "a@x", "groups": ["guidance-admins"]}, s)
    worker = oidc_identity({"is_logged_in": True, "email": "b@x", "groups": ["caseworkers"]}, s)
    assert admin is not None and admin.is_admin
    assert worker is not None and not worker.is_admin and worker.signed_in


def test_not_signed_in_is_nobody() -> None:
    s = settings(admin_emails=("a@x",))
    assert oidc_identity({"is_logged_in": False, "email": "a@x"}, s) is None
    assert oidc_identity({"email": "a@x"}, s) is None
    assert oidc_identity({"is_logged_in": True}, s) is None


def test_local_password_in_constant_time_and_absent_password_grants_nothing() -> None:
    assert not check_admin_password("", settings(admin_password=None))
    assert not check_admin_password("", settings(admin_password=""))
    s = settings(admin_password="correct horse")
    assert check_admin_password("correct horse", s)
    assert not check_admin_password("correct hors", s)
    assert not local_identity().is_admin and local_identity(admin=True).is_admin
