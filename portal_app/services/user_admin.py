"""Support's work on accounts: find users, change a role, disable and re-enable, unlock, send a
password reset, and a practice's "share orders among our users" option.

Every action is audited; the ones that change what a person may do (a new role, a disabled
account) end that person's open sessions at once (services/sessions.py), so the next thing their
open tab does meets the sign-in page. Sharing orders is read on every order query
(services/orders.py), so turning it on takes effect on the practice's next look; turning it off also
ends the sessions of the practice's users, so no open tab goes on showing a colleague's orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, or_, select

from portal_app import clock
from portal_app.domain.enums import Role, UserStatus
from portal_app.domain.search_text import LIKE_ESCAPE, contains_pattern
from portal_app.models import Practice, PracticeMembership, User
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.accounts import is_temporarily_locked, send_reset_mail
from portal_app.services.admin import disable_user
from portal_app.services.authz import Actor, require
from portal_app.services.sessions import end_all_sessions

PAGE_SIZE = 25


class UserActionRefused(ValueError):
    """The action does not apply to this account; the message says why."""


@dataclass(frozen=True)
class UserRow:
    user_id: int
    full_name: str
    email: str
    role: str
    role_label: str
    status: str
    status_label: str
    locked: bool
    practices: str


@dataclass(frozen=True)
class PracticeRow:
    practice_id: int
    name: str
    tax_id: str
    share_orders: bool
    users: int


def find_users(session: Session, *, actor: Actor, text: str = "", page: int = 0) -> tuple[list[UserRow], int]:
    """Users whose name, e-mail or username contains ``text``, by name, one page; and the total."""
    require(session, actor, "admin.users")
    query = select(User)
    if text.strip():
        pattern = contains_pattern(text.strip().lower())
        query = query.where(
            or_(
                func.lower(User.full_name).like(pattern, escape=LIKE_ESCAPE),
                func.lower(User.email).like(pattern, escape=LIKE_ESCAPE),
                func.lower(User.username).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    users = session.exec(
        query.order_by(col(User.full_name), col(User.id)).offset(max(page, 0) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    names: dict[int, list[str]] = {}
    if users:
        for user_id, name in session.exec(
            select(PracticeMembership.user_id, Practice.name)
            .join(Practice, col(Practice.id) == PracticeMembership.practice_id)
            .where(col(PracticeMembership.user_id).in_([u.id for u in users]))
        ).all():
            names.setdefault(user_id, []).append(name)
    now = clock.now()
    return [
        UserRow(
            user_id=id_of(user),
            full_name=user.full_name,
            email=user.email,
            role=user.role,
            role_label=Role(user.role).label,
            status=user.status,
            status_label="Locked" if is_temporarily_locked(user, now) else UserStatus(user.status).label,
            locked=is_temporarily_locked(user, now) or user.status == UserStatus.LOCKED,
            practices=", ".join(sorted(names.get(id_of(user), []))),
        )
        for user in users
    ], total


def _target(session: Session, actor: Actor, user_id: int, action: str) -> User:
    require(session, actor, "admin.users", record=f"user:{user_id}")
    user = session.get(User, user_id)
    if user is None:
        raise UserActionRefused("No such account.")
    if user.id == actor.user_id:
        raise UserActionRefused(f"You cannot {action} your own account here; ask another support admin.")
    return user


def _record(session: Session, actor: Actor, user: User, action: str, **detail) -> None:
    audit.record(
        session,
        action=action,
        user_id=actor.user_id,
        record_type="user",
        record_id=id_of(user),
        client_address=actor.client_address,
        detail=detail,
    )


def change_role(session: Session, *, actor: Actor, user_id: int, role: str) -> int:
    """Give the account another role; its open sessions end. Returns how many ended."""
    user = _target(session, actor, user_id, "change the role of")
    if role not in {r.value for r in Role}:
        raise UserActionRefused("Choose one of the roles offered.")
    if user.role == role:
        raise UserActionRefused(f"{user.full_name} already has that role.")
    before = user.role
    user.role = Role(role)
    user.updated_at = clock.now()
    session.add(user)
    ended = end_all_sessions(session, user_id=id_of(user), reason="role_changed")
    _record(session, actor, user, "user.role_changed", before=str(before), after=role)
    session.commit()
    return ended


def disable(session: Session, *, actor: Actor, user_id: int, reason: str = "") -> int:
    """Disable the account; its open sessions end at once. Returns how many ended."""
    _target(session, actor, user_id, "disable")
    return disable_user(session, actor=actor, user_id=user_id, reason=reason or "disabled by support")


def enable(session: Session, *, actor: Actor, user_id: int) -> None:
    """Re-enable a disabled account (it signs in again with its password)."""
    user = _target(session, actor, user_id, "re-enable")
    if user.status != UserStatus.DISABLED:
        raise UserActionRefused(f"{user.full_name}'s account is not disabled.")
    user.status = UserStatus.ACTIVE
    user.failed_sign_ins = 0
    user.locked_until = None
    user.updated_at = clock.now()
    session.add(user)
    _record(session, actor, user, "user.enabled")
    session.commit()


def unlock(session: Session, *, actor: Actor, user_id: int) -> None:
    """End a lockout after failed sign-ins now instead of when it runs out."""
    user = _target(session, actor, user_id, "unlock")
    if not (is_temporarily_locked(user) or user.status == UserStatus.LOCKED):
        raise UserActionRefused(f"{user.full_name}'s account is not locked.")
    user.locked_until = None
    user.failed_sign_ins = 0
    if user.status == UserStatus.LOCKED:
        user.status = UserStatus.ACTIVE
    user.updated_at = clock.now()
    session.add(user)
    _record(session, actor, user, "user.unlocked")
    session.commit()


def send_password_reset(session: Session, *, actor: Actor, user_id: int) -> None:
    """E-mail the person a one-time link to choose a new password (their password stays until then)."""
    user = _target(session, actor, user_id, "reset the password of")
    if user.status not in (UserStatus.ACTIVE, UserStatus.LOCKED):
        raise UserActionRefused(f"{user.full_name}'s account is not active; a reset link would not work.")
    send_reset_mail(session, user)
    _record(session, actor, user, "user.password_reset_sent")
    session.commit()


def list_practices(session: Session, *, actor: Actor) -> list[PracticeRow]:
    """Every practice with its sharing option and how many users it has."""
    require(session, actor, "admin.users")
    counts = dict(
        session.exec(
            select(PracticeMembership.practice_id, func.count()).group_by(col(PracticeMembership.practice_id))
        ).all()
    )
    return [
        PracticeRow(
            practice_id=id_of(practice),
            name=practice.name,
            tax_id=practice.tax_id,
            share_orders=practice.share_orders,
            users=counts.get(id_of(practice), 0),
        )
        for practice in session.exec(select(Practice).order_by(Practice.name)).all()
    ]


def set_share_orders(session: Session, *, actor: Actor, practice_id: int, share: bool) -> int:
    """Let the practice's users see each other's orders (or only their own). Turning sharing off ends
    the open sessions of the practice's users; returns how many ended."""
    require(session, actor, "admin.users", record=f"practice:{practice_id}")
    practice = session.get(Practice, practice_id)
    if practice is None:
        raise UserActionRefused("No such practice.")
    if practice.share_orders == bool(share):
        return 0
    practice.share_orders = bool(share)
    session.add(practice)
    ended = 0 if share else _end_practice_sessions(session, id_of(practice))
    audit.record(
        session,
        action="practice.share_orders_on" if share else "practice.share_orders_off",
        user_id=actor.user_id,
        record_type="practice",
        record_id=id_of(practice),
        client_address=actor.client_address,
        detail={} if share else {"sessions_ended": ended},
    )
    session.commit()
    return ended


def _end_practice_sessions(session: Session, practice_id: int) -> int:
    users = session.exec(
        select(PracticeMembership.user_id).where(PracticeMembership.practice_id == practice_id)
    ).all()
    return sum(end_all_sessions(session, user_id=user_id, reason="share_orders_off") for user_id in users)
