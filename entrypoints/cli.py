"""`warroom`: add users, serve, rebuild the read models, load a demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from warroom.config import Database, Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="warroom",
        description="The war room's event log. "
        "Every command reads WARROOM_DATABASE_URL.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser("add", help="add a user; prints their bearer token last")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True)

    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (off by default: stream URLs may carry tokens)",
    )

    sub.add_parser("rebuild", help="drop and rebuild every read model from the log")

    demo = sub.add_parser("demo", help="load a demo inspection, then serve it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="load only")

    args = parser.parse_args(argv)
    settings = Settings()
    try:
        database = Database.from_url(settings.database_url)
    except ValueError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2
    if args.command == "user":
        return _add_user(database, args.name, args.role)
    if args.command == "serve":
        return _serve(args.host, args.port, access_log=args.access_log)
    if args.command == "rebuild":
        from projections.rebuild import rebuild_and_report

        return rebuild_and_report(database)
    from entrypoints.demo import load_demo

    tokens = load_demo(database, f"http://{args.host}:{args.port}")
    if args.no_serve:
        return 0
    del tokens
    return _serve(args.host, args.port)


def _add_user(database: Database, name: str, role: str) -> int:
    from pydantic import ValidationError

    from commands.executor import execute
    from commands.models import AddUser
    from commands.run import Actor
    from warroom.application import WarRoom

    try:
        command = AddUser(name=name, role=role)  # type: ignore[arg-type]
    except ValidationError as error:
        print(
            f"warroom: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}",
            file=sys.stderr,
        )
        return 2
    app = WarRoom(database)
    try:
        # The command line has the database itself, so it acts as the admin.
        console = Actor(id="console", name="console", role="admin")
        outcome = execute(app, console, command)
    finally:
        app.close()
    print(f"added {name} ({role}) with id {outcome.body['id']}; their bearer token:")
    print(outcome.body["token"])
    return 0


def _serve(host: str, port: int, *, access_log: bool = False) -> int:
    import gc

    import uvicorn

    from web.app import create_app

    settings = Settings()
    gc.set_threshold(*settings.gc_thresholds)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
