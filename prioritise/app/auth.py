"""Passwords (argon2), browser sessions, API tokens, CSRF tokens and the login rate limit.

Tokens are random (``secrets``) and stored only as SHA-256 hashes, so a copy of the database
does not let anyone in. A session's CSRF token is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from prioritise.app.db import ROLES, ApiToken, LoginAttempt, User, WebSession, utcnow

HASHER = PasswordHasher()  # argon2id, memory-hard (64 MiB, 3 passes)
NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8
TOKEN_DAYS = 30
# Verified against when a name is unknown, so a failed login takes as long either way.
_DUMMY_HASH = HASHER.hash("not a password of anyone")


class RateLimitedError(Exception):
    """Too many failed logins for this name or address: try again later."""


class AccountError(ValueError):
    """A user cannot be created as asked (name taken, bad role, short password)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (viewer < planner < admin)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def add_user(db: Any, name: str, role: str, password: str) -> User:
    """A new active user; the caller commits (with an audit entry)."""
    if not NAME_RE.match(name):
        raise AccountError(
            "A user name is 1 to 64 letters, digits or the characters _ . @ - (no spaces)."
        )
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}, not {role!r}.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password has at least {MIN_PASSWORD} characters.")
    if db.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError(f"A user named {name!r} already exists.")
    user = User(name=name, role=role, password_hash=HASHER.hash(password), active=True)
    db.add(user)
    db.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password has at least {MIN_PASSWORD} characters.")
    user.password_hash = HASHER.hash(password)


def _recent_failures(db: Any, column: Any, value: str, window_s: float) -> int:
    since = utcnow() - timedelta(seconds=window_s)
    stmt = select(func.count(LoginAttempt.id)).where(
        column == value, LoginAttempt.ok.is_(False), LoginAttempt.at >= since
    )
    return int(db.scalar(stmt) or 0)


def check_login(
    db: Any, name: str, password: str, address: str, limit: int, window_s: float
) -> User | None:
    """The user for a correct name and password, else None; every attempt is recorded.

    Raises :class:`RateLimitedError` once a name or an address has ``limit`` failures within the
    window, before the password is even checked.
    """
    name = name[:64]
    if (
        _recent_failures(db, LoginAttempt.name, name, window_s) >= limit
        or _recent_failures(db, LoginAttempt.address, address, window_s) >= limit
    ):
        raise RateLimitedError
    user = db.scalar(select(User).where(User.name == name, User.active.is_(True)))
    ok = False
    try:
        ok = HASHER.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        ok = False
    db.add(LoginAttempt(name=name, address=address[:64], ok=ok))
    db.commit()
    return user if ok else None


def new_session(db: Any, user: User, hours: float) -> tuple[str, WebSession]:
    """A fresh session (the cookie value and its row with a CSRF token)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=token_hash(token),
        user_id=user.id,
        csrf=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.add(row)
    return token, row


def session_user(db: Any, token: str | None) -> tuple[User, WebSession] | None:
    if not token:
        return None
    row = db.get(WebSession, token_hash(token))
    if row is None or row.expires_at < utcnow():
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def csrf_ok(session: WebSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf, str(given))


def new_api_token(db: Any, user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=TOKEN_DAYS),
        )
    )
    return token


def token_user(db: Any, token: str) -> User | None:
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.expires_at < utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.active else None
