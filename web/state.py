"""What one server process holds: the log, its read side, and who is signed in."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from projections.follower import ReadSide
from projections.reads import Reader
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.evidence.keys import load_signer
from warroom.evidence.notes import Signer
from warroom.evidence.readonly import ReadOnlyLog
from web.auth import Membership, Tokens
from web.log_health import LogWatch


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    app: WarRoom
    read_side: ReadSide
    reader: Reader
    tokens: Tokens
    membership: Membership
    # Signs the log's checkpoints and seals closed days (warroom.evidence).
    signer: Signer
    # The same log opened read-only: `/api/verify` walks it, and `watch`
    # checks it against its tree while the server runs (web/log_health.py).
    read_only: ReadOnlyLog
    watch: LogWatch

    @classmethod
    def open(cls, settings: Settings) -> ServerState:
        """Opens the log and starts following it."""
        database = Database.from_settings(settings)
        # Before the log is opened: PostgreSQL without a key refuses to start.
        signer, made = load_signer(
            database, settings.signing_key, settings.signing_key_file
        )
        if made:
            print(f"warroom: {made}", file=sys.stderr)
        app = WarRoom(database)
        app.use_signer(signer)
        read_side = ReadSide(
            app,
            poll_seconds=settings.poll_seconds,
            checkpoint_every=settings.checkpoint_every,
            checkpoint_cap=settings.checkpoint_cap,
            save_every=settings.save_every_events,
            save_seconds=settings.save_seconds,
            max_live_inspections=settings.max_live_inspections,
        )
        read_side.start()
        read_only = ReadOnlyLog(database)
        watch = LogWatch(
            app, read_only, settings.log_check_seconds, settings.log_check_rolling
        )
        watch.start()
        return cls(
            settings=settings,
            app=app,
            read_side=read_side,
            reader=Reader(
                app,
                read_side,
                settings.read_wait_seconds,
                max_waiting=settings.max_read_waiters,
            ),
            tokens=Tokens(app),
            membership=Membership(app),
            signer=signer,
            read_only=read_only,
            watch=watch,
        )

    def close(self) -> None:
        """Saves the read models one last time and closes the log."""
        self.watch.stop()
        self.read_side.stop()
        self.read_only.close()
        self.app.close()
