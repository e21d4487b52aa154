"""One settings class: `WARROOM_*` variables in, the library's environment out."""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the war room reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="WARROOM_")

    database_url: str = "sqlite:///./warroom.db"
    # A request body (document uploads included) above this size gets 413.
    max_body_bytes: int = 25 * 1024 * 1024
    # An access log (upload or `warroom import-access-log`) of more rows than
    # this is refused whole (413, exit 2): each row is an event every read
    # model folds and every replica and rebuild folds again. At most 200,000.
    access_log_max_rows: Annotated[int, Field(ge=1, le=200_000)] = 50_000
    # How long a read waits for the read models to reach a command's position.
    read_wait_seconds: float = 5.0
    # At most this many reads wait for a `min_position` at once; more get 503.
    max_read_waiters: int = 1000
    # SQLite has no LISTEN/NOTIFY: other processes' saves are seen by polling.
    poll_seconds: float = 0.25
    # The read models are saved (with their tracking record) after this many
    # new events or this many seconds, and on shutdown: a restart folds in at
    # most what came after. Saving costs a moment of CPU, so not too often.
    save_every_events: int = 10_000
    save_seconds: float = 30.0
    # Audit replay keeps a checkpoint this often, up to this many in memory.
    checkpoint_every: int = 1000
    checkpoint_cap: int = 400
    # Inspections whose read models a server process holds in memory at once
    # (issue 14); past it the least recently asked for are dropped, closed
    # ones first, and loaded again (saved state plus events since) if asked.
    max_live_inspections: int = 100
    # A live client that falls this many events behind is dropped (it reconnects
    # and catches up from the log) so that it cannot slow the others down.
    live_queue_size: int = 1000
    # A live client whose socket takes no data for this long is let go.
    live_send_timeout_seconds: float = 10.0
    # Open streams one user may hold at once (per server process); more get 429.
    max_streams_per_user: int = 10
    # Wall screens signing in as a device (issue 25): how long a code shown
    # on a screen lasts, how often the screen may ask whether it was
    # approved, and how many codes may wait at once (more get 429).
    device_code_seconds: Annotated[int, Field(ge=60, le=3600)] = 900
    device_poll_seconds: Annotated[int, Field(ge=1, le=60)] = 5
    device_codes_pending: Annotated[int, Field(ge=1, le=10_000)] = 50
    # People's sessions (issue 26): a browser's session ends after this long
    # without a request, and this long after it began whatever it did.
    # Fractions are allowed (tests use seconds' worth).
    session_idle_minutes: Annotated[float, Field(gt=0)] = 60.0
    session_max_hours: Annotated[float, Field(gt=0)] = 12.0
    # Threads that read streams' catch-up from the log: few, so that a crowd
    # of reconnecting streams cannot take the CPU from commands.
    catch_up_threads: int = 1
    # Catch-up pages kept in memory for other streams asking the same, in MiB.
    catch_up_cache_mib: int = 64
    # How fast all streams together may send history, in MiB a second: a
    # crowd catching up takes a bounded share of the event loop commands
    # need (`web/pacing.py`); one stream's 12 MB take 0.1 s.
    catch_up_mib_per_s: Annotated[float, Field(gt=0)] = 128.0
    # Comment lines on idle streams, so proxies do not cut them.
    keepalive_seconds: float = 15.0
    # The server's garbage collector thresholds (Python's gc.set_threshold).
    # With 1,000 open streams a full collection walks every stream's objects
    # and stalls the live feed for about 0.1 s; collecting young objects less
    # often makes full collections about a hundred times rarer.
    gc_thresholds: tuple[int, int, int] = (50_000, 20, 100)
    # Playbook templates (one TOML file each): the repository's `playbooks/`
    # unless this names a folder of the council's own.
    playbook_dir: str | None = None
    # Operations (web/health.py, web/logs.py, web/shutdown.py).
    # /readyz answers 503 when the read models are more than this many
    # positions behind the log's head, or the database takes longer than this.
    ready_max_lag: int = 1000
    ready_timeout_seconds: float = 2.0
    # How often the server checks its log against its tree (0: never), and
    # how many older leaves each round checks again (warroom.evidence.sentinel:
    # each costs about what its append did, ~40 us).
    log_check_seconds: float = 1.0
    log_check_rolling: int = 250
    # One JSON line per request (method, path without its query, status, time).
    access_log: bool = False
    log_level: str = "info"
    # On SIGTERM: in-flight requests get this long to finish before they are
    # cancelled; streams are told to reconnect (elsewhere) at once.
    shutdown_grace_seconds: int = 30
    # Server processes on one port (`warroom serve --workers`); PostgreSQL
    # only (web/workers.py).
    workers: int = 1
    # Encryption at rest: with a key (base64 of 32 random bytes, as `warroom
    # keygen --cipher` prints), events' payloads, documents' bytes and the
    # saved read models are stored encrypted with the library's AES cipher.
    cipher_key: str = ""
    # The key that signs the log's checkpoints (`warroom keygen` prints one),
    # or a file holding it; never kept in the database. Without either, on
    # SQLite a key is made in a file beside the database; PostgreSQL refuses.
    signing_key: str = ""
    signing_key_file: str = ""
    # "HH:MM": each inspection's day is closed (and sealed) at this time of
    # day in its own time zone; empty: only by the CloseDay command.
    close_days_at: str = ""

    # --- the daily blog by email (issue 13) ---------------------------------
    # The server sends each day's blog at this time of day in the inspection's
    # zone (HH:MM, or HH:MM:SS), once across every server process; "off":
    # never (send with `warroom blog send`, from cron say).
    blog_send_at: str = "18:00"
    # How often the server looks whether a blog is due (tests make it short).
    blog_send_check_seconds: float = 30.0
    # The SMTP server; with no host, messages go to the outbox folder instead.
    smtp_host: str = ""
    # 0: the usual port for the TLS mode (25 none, 587 starttls, 465 tls).
    smtp_port: int = 0
    smtp_user: str = ""
    # Never logged, never in an error: a SecretStr prints as '**********'.
    smtp_password: SecretStr = SecretStr("")
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout_seconds: float = 30.0
    # A PEM file of the CA(s) to trust for the SMTP server's certificate (a
    # council's own CA), instead of the system's; empty: the system's.
    smtp_ca_file: str = ""
    mail_from: str = "War room <warroom@localhost>"
    # True: recipients in Bcc, so partners do not see each other's addresses
    # (To: names the sender). False: every recipient in To.
    mail_bcc: bool = True
    # Where .eml files go when no SMTP host is set; by default a folder
    # `outbox` beside the SQLite database (on PostgreSQL, ./outbox).
    mail_dir: str = ""
    # A refused or unreachable SMTP server is tried this many more times,
    # after this many seconds, doubled each time.
    mail_retries: int = 3
    mail_retry_seconds: float = 5.0
    # The war room's page as people reach it (e.g. https://warroom.council.
    # example/): the blog's emails link to it. Empty: an email sent from the
    # page links to the address the page was asked at; one the server or
    # `warroom blog send` sends has no link.
    public_url: str = ""

    # --- notifications on the phone: Web Push (issue 24, docs/push.md) ------
    # The VAPID key pair (RFC 8292) that signs every push: a P-256 private
    # key as PEM, or as its 32 bytes in base64url. Empty: derived with HKDF
    # from the key that signs the log's checkpoints (WARROOM_SIGNING_KEY or
    # its file), so every process on one database has the same pair and it
    # survives restarts; a browser subscribed under one key must subscribe
    # again after it changes.
    vapid_private_key: SecretStr = SecretStr("")
    # Who runs this server, for the push services to contact: mailto: or https:.
    vapid_subject: str = "mailto:warroom@localhost"
    # The push services the server sends to: a subscription whose endpoint
    # starts with none of these URL prefixes (comma-separated) is refused,
    # so a subscription cannot make the server call any other address. A
    # prefix `https://*.host/` takes any name under that host (Windows).
    push_allowed: str = (
        "https://fcm.googleapis.com/,"
        "https://updates.push.services.mozilla.com/,"
        "https://web.push.apple.com/,"
        "https://*.notify.windows.com/"
    )
    # A push the service did not take is tried this many more times, after
    # this many seconds, doubled each time.
    push_retries: int = 3
    push_retry_seconds: float = 2.0
    push_timeout_seconds: float = 10.0
    # How long a push service keeps a notice for a phone that is off.
    push_ttl_seconds: int = 12 * 60 * 60
    # Changes recorded longer ago than this are never told (an import, the
    # demo's history, a server catching up after a long stop).
    push_max_age_seconds: float = 600.0
    # How often the server looks for requests that became overdue.
    push_check_seconds: float = 30.0
    # "off": no notifications at all (subscribing still works).
    push: Literal["on", "off"] = "on"
    # --- meeting invitations by email (issue 24, docs/invitations.md) -------
    # A person's changes to a meeting made within this many seconds of the
    # first go as one invitation.
    invite_delay_seconds: Annotated[float, Field(ge=0)] = 60.0
    # How often each server process looks for invitations due (0: it never
    # sends any; tests make it short).
    invite_check_seconds: Annotated[float, Field(ge=0)] = 5.0
    # An invitation claimed this long ago and neither sent nor failed was left
    # by a process that died while sending: it is sent again (next number).
    invite_abandoned_seconds: Annotated[float, Field(gt=0)] = 900.0


@dataclass(frozen=True)
class Database:
    """Where the log lives, parsed from `WARROOM_DATABASE_URL`."""

    kind: str  # "sqlite" or "postgresql"
    sqlite_path: str = ""
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = "public"
    # WARROOM_CIPHER_KEY, checked; "" stores everything in clear.
    cipher_key: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database of `WARROOM_DATABASE_URL`, with `WARROOM_CIPHER_KEY`."""
        database = cls.from_url(settings.database_url)
        key = settings.cipher_key.strip()
        return replace(database, cipher_key=cipher_key(key)) if key else database

    @classmethod
    def from_url(cls, url: str) -> Database:
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy has it.
            path = url[len("sqlite:///") :]
            if not url.startswith("sqlite:///") or not path:
                raise ValueError(f"expected sqlite:///path/to/file.db, got {url!r}")
            return cls(kind="sqlite", sqlite_path=path)
        if parsed.scheme in ("postgresql", "postgres"):
            query = parse_qs(parsed.query)
            return cls(
                kind="postgresql",
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 5432,
                user=unquote(parsed.username or "postgres"),
                password=unquote(parsed.password or ""),
                dbname=parsed.path.lstrip("/") or "postgres",
                schema=query.get("schema", ["public"])[0],
            )
        raise ValueError(
            f"WARROOM_DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"got {url!r}"
        )

    def library_env(self) -> dict[str, str]:
        """The eventsourcing library's own variables for this database."""
        # Aggregates stay cached between commands; fast-forwarding reads only
        # the events another process stored since, so the cache is never stale.
        common = {
            "AGGREGATE_CACHE_MAXSIZE": "10000",
            "AGGREGATE_CACHE_FASTFORWARD": "y",
        }
        if self.cipher_key:
            # The library's AES-GCM cipher, byte for byte, but faster
            # (`warroom/cipher.py`): it encrypts each event's payload (not
            # its aggregate id, version, topic or position).
            common |= {
                "CIPHER_TOPIC": "warroom.cipher:AESGCMCipher",
                "CIPHER_KEY": self.cipher_key,
            }
        if self.kind == "sqlite":
            return {
                **common,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        return {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_SCHEMA": self.schema,
            # Opened eagerly by each process; the overflow is opened on demand.
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "12",
        }

    def psycopg_conninfo(self) -> str:
        parts = [
            f"host={self.host}",
            f"port={self.port}",
            f"user={self.user}",
            f"dbname={self.dbname}",
        ]
        if self.password:
            parts.append(f"password={self.password}")
        return " ".join(parts)


def cipher_key(key: str) -> str:
    """The key, if it is one the library's AES cipher takes; else ValueError."""
    try:
        size = len(b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        size = -1
    if size not in (16, 24, 32):
        raise ValueError(
            "WARROOM_CIPHER_KEY must be 16, 24 or 32 bytes in base64 "
            "(`warroom keygen --cipher` prints a 32-byte key)"
        )
    return key
