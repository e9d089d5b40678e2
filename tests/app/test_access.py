"""Roles: admin only by configured e-mail / group under OIDC, or the local password."""

from __future__ import annotations

import logging

import pytest

from assistant.access import AttemptLimiter, check_admin_password, local_identity, oidc_identity
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


class FakeClock:
    """A fake monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passwords_lock_admin_sign_in_for_the_window() -> None:
    clock = FakeClock()
    limiter = AttemptLimiter(max_failures=3, window_s=600, clock=clock)
    s = settings(admin_password="correct horse")
    assert [limiter.attempt("guess", s) for _ in range(3)] == [False, False, False]
    assert limiter.locked_for() == 600
    # locked: even the right password is refused unchecked, so a guesser learns nothing
    assert limiter.attempt("correct horse", s) is None
    clock.now += 599
    assert limiter.attempt("correct horse", s) is None and limiter.locked_for() == 1
    clock.now += 1  # the oldest failure is now 10 minutes old
    assert limiter.locked_for() == 0
    assert limiter.attempt("correct horse", s) is True


def test_wrong_passwords_are_counted_in_the_log_but_never_written_to_it(
        caplog: pytest.LogCaptureFixture) -> None:
    limiter = AttemptLimiter(max_failures=2, window_s=600, clock=FakeClock())
    s = settings(admin_password="correct horse")
    with caplog.at_level(logging.DEBUG):
        assert limiter.attempt("correct hors3", s) is False  # a near miss gives the password away
        assert limiter.attempt("Tr0ub4dor&3", s) is False
        assert limiter.attempt("correct horse", s) is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Wrong admin password (2 in the last 10 minutes)" in logged
    assert "too many wrong passwords" in logged
    for secret in ("correct hors", "Tr0ub4dor"):
        assert secret not in logged


def test_failures_slide_out_of_the_window_one_by_one() -> None:
    clock = FakeClock()
    limiter = AttemptLimiter(max_failures=2, window_s=100, clock=clock)
    s = settings(admin_password="pw")
    assert limiter.attempt("", s) is False and limiter.locked_for() == 0  # not counted
    assert limiter.attempt("a", s) is False
    clock.now += 60
    assert limiter.attempt("b", s) is False and limiter.attempt("pw", s) is None
    clock.now += 40  # the first failure expires; the second still counts
    assert limiter.attempt("c", s) is False and limiter.attempt("pw", s) is None
    assert limiter.locked_for() == 60
