"""Who may do what. Two modes, and nothing else grants the admin role:

- OIDC (production): the identity provider signs the user in; admin if their e-mail is in
  ``settings.admin_emails`` or one of their groups is in ``settings.admin_groups``. An e-mail the
  provider marks ``email_verified: false`` is ignored (the user is known by ``sub`` instead);
  providers that send no such claim (Microsoft Entra ID) manage addresses themselves.
- Local (no identity provider): everyone is the local caseworker; admin after typing the admin
  password (``GA_ADMIN_PASSWORD``), compared in constant time. With no password set, nobody is.
  Wrong passwords are throttled per app process (``AttemptLimiter``): after 10 wrong ones within
  15 minutes no attempt is checked until the oldest of them is 15 minutes old, whichever browser
  session they came from, so the password cannot be guessed by opening new sessions. (Anyone who
  can reach a local-mode app can therefore also pause admin sign-in; production uses sign-in.)
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.config import Settings

log = logging.getLogger(__name__)

LOCAL_USER_ID = "local"
Role = Literal["caseworker", "admin"]


@dataclass(frozen=True)
class Identity:
    """The person using the app: a stable id for their data, a display name, their role."""

    user_id: str
    name: str
    role: Role = "caseworker"
    signed_in: bool = False  # through the identity provider

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def local_identity(admin: bool = False) -> Identity:
    """The local user (no identity provider); admin only after a password check."""
    return Identity(LOCAL_USER_ID, "Local user", "admin" if admin else "caseworker")


def oidc_identity(claims: Mapping[str, Any], settings: Settings) -> Identity | None:
    """The signed-in user from their ID-token claims, or None when not signed in."""
    if not claims.get("is_logged_in"):
        return None
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is False or str(claims.get("email_verified")).lower() == \
            "false":
        # a provider that lets people type their own e-mail says so: such an address must not
        # make anyone an admin or open another person's conversations
        email = ""
    subject = str(claims.get("sub") or "")
    user_id = email or f"sub:{subject}"
    if user_id in ("", "sub:"):
        return None
    name = str(claims.get("name") or email or subject)
    role: Role = "admin" if is_admin_claims(email, claims.get("groups"), settings) else \
        "caseworker"
    return Identity(user_id, name, role, signed_in=True)


def is_admin_claims(email: str, groups: object, settings: Settings) -> bool:
    """Whether an identity provider's e-mail or groups claim names an administrator."""
    admins = {e.strip().lower() for e in settings.admin_emails if e.strip()}
    if email and email.strip().lower() in admins:
        return True
    admin_groups = {g.strip() for g in settings.admin_groups if g.strip()}
    return bool(admin_groups & set(_strings(groups)))


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return []


def admin_password_set(settings: Settings) -> bool:
    """Whether local admin sign-in is possible at all."""
    return bool(settings.admin_password and settings.admin_password.get_secret_value())


def check_admin_password(attempt: str, settings: Settings) -> bool:
    """Compare ``attempt`` with the admin password in constant time; False when none is set."""
    if not admin_password_set(settings) or settings.admin_password is None:
        return False
    expected = settings.admin_password.get_secret_value().encode()
    return hmac.compare_digest(attempt.encode(), expected)


@dataclass
class AttemptLimiter:
    """Throttle wrong admin passwords: at most ``max_failures`` within ``window_s`` seconds.

    One instance per app process (a module object in ``app_pages.access``), so every browser
    session counts against the same limit. While locked, attempts are refused without being
    checked, so a right password typed during a lock-out does not open admin either (it would
    let a guesser probe). Several app processes each keep their own count: put a rate limit in
    front of them (or use the identity provider) when that matters. Thread-safe; ``clock`` is
    injectable.
    """

    max_failures: int = 10
    window_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: deque[float] = field(default_factory=deque, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _forget_old(self, now: float) -> None:
        while self._failures and now - self._failures[0] >= self.window_s:
            self._failures.popleft()

    def locked_for(self) -> float:
        """Seconds until an attempt will be checked again; 0 when attempts are open."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            if len(self._failures) < self.max_failures:
                return 0.0
            return max(0.0, self._failures[0] + self.window_s - now)

    def attempt(self, attempt: str, settings: Settings) -> bool | None:
        """Check ``attempt``: True if right, False if wrong, None if refused (locked out)."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            if len(self._failures) >= self.max_failures:
                log.warning("Admin sign-in refused: too many wrong passwords")
                return None
            if check_admin_password(attempt, settings):
                return True
            if not attempt:  # an empty submission guesses nothing: not counted
                return False
            self._failures.append(now)
            log.warning("Wrong admin password (%d in the last %d minutes)",
                        len(self._failures), round(self.window_s / 60))
            return False
