"""`warroom`: add users, serve, rebuild the read models, load a demo."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from commands.executor import execute
from commands.models import AddUser
from entrypoints.console import CONSOLE
from entrypoints.demo import load_demo
from projections.rebuild import rebuild_and_report
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.base import RuleBroken


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        database = Database.from_url(Settings().database_url)
    except ValueError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2
    return SUBCOMMANDS[args.command](database, args)


def parser() -> argparse.ArgumentParser:
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
    _listen_on(serve)
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (off by default: stream URLs may carry tokens)",
    )

    sub.add_parser("rebuild", help="drop and rebuild every read model from the log")

    demo = sub.add_parser("demo", help="load a demo inspection, then serve it")
    _listen_on(demo)
    demo.add_argument("--no-serve", action="store_true", help="load only")
    return parser


def _listen_on(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)


def _user_add(database: Database, args: argparse.Namespace) -> int:
    try:
        command = AddUser(name=args.name, role=args.role)
    except ValidationError as error:
        first = error.errors()[0]
        print(f"warroom: {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 2
    app = WarRoom(database)
    try:
        outcome = execute(app, CONSOLE, command)
    except RuleBroken as refusal:
        print(f"warroom: {refusal.rule}: {refusal.message}", file=sys.stderr)
        return 1
    finally:
        app.close()
    print(
        f"added {args.name} ({args.role}) with id {outcome.body['id']}; "
        "their bearer token:"
    )
    print(outcome.body["token"])
    return 0


def _serve(database: Database, args: argparse.Namespace) -> int:
    return _run_server(args.host, args.port, access_log=args.access_log)


def _rebuild(database: Database, args: argparse.Namespace) -> int:
    return rebuild_and_report(database)


def _demo(database: Database, args: argparse.Namespace) -> int:
    load_demo(database, f"http://{args.host}:{args.port}")
    return 0 if args.no_serve else _run_server(args.host, args.port)


def _run_server(host: str, port: int, *, access_log: bool = False) -> int:
    # Imported here, not at the top: the web app and uvicorn take about half a
    # second to import, which every other command (`warroom user add` runs
    # once per user in the tests) would pay for nothing.
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


# What each `warroom` command runs (`user` has one action, `add`).
SUBCOMMANDS: dict[str, Callable[[Database, argparse.Namespace], int]] = {
    "user": _user_add,
    "serve": _serve,
    "rebuild": _rebuild,
    "demo": _demo,
}


if __name__ == "__main__":
    raise SystemExit(main())
