"""Configuration, read once from the environment.

Only backend code may import this module's values at run time: anything read
while a page is compiled is baked into the JavaScript bundle.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'portal.db'}"
# A placeholder in the reserved .test domain and the fictional 555-01xx range: set SUPPORT_CONTACT.
DEFAULT_SUPPORT_CONTACT = "Precert help desk: support@precert.test, 555-0199 (Monday to Friday, 8 am to 6 pm)"

# Rate limits in the `limits` notation ("N per M unit"), each overridable by RATE_LIMIT_<NAME>.
# "client" is the client's address, "account" the e-mail or username typed (whether or not an
# account has it), "user" the signed-in user. See docs/security.md.
DEFAULT_RATE_LIMITS: dict[str, str] = {
    "sign_in_client": "30 per minute",
    # Failed sign-ins per e-mail or username that no account has: the fifth locks it for 15
    # minutes, as five failures in a row lock a real account (no account enumeration).
    "sign_in_account": "5 per day",
    "password_reset_client": "30 per hour",
    "password_reset_account": "3 per hour",
    "registration_client": "20 per hour",
    "registration_account": "3 per hour",
    "search_user": "60 per minute",
    "search_client": "300 per minute",
    "verify_user": "20 per minute",
    "verify_client": "100 per minute",
    # Downloads of the public transparency page (no sign-in): per client address.
    "transparency_client": "30 per minute",
    # The public "Join the user experience feedback group" form: per client address and per e-mail.
    "feedback_group_client": "20 per hour",
    "feedback_group_account": "3 per hour",
}
# One document is at most 20 MB; a request to /_upload may carry that and its form framing.
DEFAULT_UPLOAD_MAX_MB = 21
DEFAULT_MAIL_FROM = "Precert <no-reply@precert.invalid>"
# Requests of the demo's year of history (services/demo_year.py) the seed makes; 0 makes none.
DEFAULT_DEMO_HISTORY_SIZE = 1500


@dataclass(frozen=True)
class Settings:
    """The portal's settings; see the README for each variable."""

    db_url: str
    redis_url: str | None
    secret_key: str
    smtp_url: str | None
    data_dir: Path
    public_url: str
    session_idle_seconds: int
    session_max_seconds: int
    oidc_issuer: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None
    support_contact: str = DEFAULT_SUPPORT_CONTACT
    rate_limits: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    # RATE_LIMIT_STORAGE, else REDIS_URL (workers share counts), else memory (one process).
    rate_limit_storage: str = "memory://"
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * 1024 * 1024
    # FILE_ENCRYPTION_KEYS: "id:base64key,..." (the first encrypts; all decrypt); see file_crypto.py.
    file_encryption_keys: str = ""
    # MAIL_FROM: the sender of every e-mail the portal sends.
    mail_from: str = DEFAULT_MAIL_FROM
    # DEMO_HISTORY_SIZE: requests in the demo's year of history that `seed` makes (0: none).
    demo_history_size: int = DEFAULT_DEMO_HISTORY_SIZE

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def uses_https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = PROJECT_ROOT / "data" / ".secret_key"
    # A development key kept beside the database so signed links survive a restart.
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (cached)."""
    db_url = os.environ.get("DB_URL") or DEFAULT_DB_URL
    return Settings(
        db_url=db_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(),
        smtp_url=os.environ.get("SMTP_URL") or None,
        data_dir=Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / "data"),
        public_url=public_url(),
        session_idle_seconds=session_idle_seconds(),
        session_max_seconds=int(float(os.environ.get("SESSION_MAX_HOURS") or 12) * 3600),
        oidc_issuer=os.environ.get("OIDC_ISSUER") or None,
        oidc_client_id=os.environ.get("OIDC_CLIENT_ID") or None,
        oidc_client_secret=os.environ.get("OIDC_CLIENT_SECRET") or None,
        support_contact=(os.environ.get("SUPPORT_CONTACT") or "").strip() or DEFAULT_SUPPORT_CONTACT,
        rate_limits={
            name: (os.environ.get(f"RATE_LIMIT_{name.upper()}") or "").strip() or default
            for name, default in DEFAULT_RATE_LIMITS.items()
        },
        rate_limit_storage=(
            os.environ.get("RATE_LIMIT_STORAGE") or os.environ.get("REDIS_URL") or "memory://"
        ).strip(),
        upload_max_bytes=int(float(os.environ.get("UPLOAD_MAX_MB") or DEFAULT_UPLOAD_MAX_MB) * 1024 * 1024),
        file_encryption_keys=(os.environ.get("FILE_ENCRYPTION_KEYS") or "").strip(),
        mail_from=(os.environ.get("MAIL_FROM") or "").strip() or DEFAULT_MAIL_FROM,
        demo_history_size=max(0, int(os.environ.get("DEMO_HISTORY_SIZE") or DEFAULT_DEMO_HISTORY_SIZE)),
    )


def session_idle_seconds() -> int:
    """Automatic logoff after this many seconds without activity (``SESSION_IDLE_MINUTES``)."""
    return int(float(os.environ.get("SESSION_IDLE_MINUTES") or 15) * 60)


def public_url() -> str:
    """The address people use to reach the portal (no trailing slash)."""
    return (os.environ.get("PUBLIC_URL") or "http://localhost:3000").rstrip("/")
