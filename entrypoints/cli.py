"""`warroom`: add users, serve, rebuild the read models, load a demo."""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from commands.access_log import MalformedLog, TooManyRows, column_map, parse
from commands.executor import execute
from commands.membership import user_named
from commands.models import AddOrganisation, AddUser, ImportAccessLog, SetUserEmail
from commands.organisations import add_organisation
from commands.sign_on import BadSignOn, SignOnRequest, configure_sign_on
from entrypoints.console import CONSOLE
from entrypoints.demo import load_demo
from entrypoints.program import program
from projections.rebuild import rebuild_and_report
from warroom.application import WarRoom
from warroom.archive import Refused, export_log, import_log
from warroom.cipher import AESGCMCipher
from warroom.config import Database, Settings
from warroom.domain.base import Context, DomainError, NotFound, RuleBroken
from warroom.domain.inspection import Inspection
from warroom.domain.organisation import Organisations
from warroom.evidence.backfill import Refused as BackfillRefused
from warroom.evidence.backfill import TreeMissing, backfill_tree
from warroom.evidence.keys import NoSigningKey, load_signer
from warroom.evidence.notes import Checkpoint, NoteError, Signer, Verifier
from warroom.evidence.readonly import ReadOnlyLog
from warroom.evidence.receipt import verify_receipt_names
from warroom.evidence.tree import signer_for
from warroom.evidence.walk import ProgressLines
from warroom.sign_on_secret import SecretSeal
from warroom.storage import Unreadable

# Where the provider sends people back (web/routes/sign_on.py serves it).
CALLBACK_PATH = "/auth/callback"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        database = Database.from_settings(Settings())
        return SUBCOMMANDS[args.command](database, args)
    except (ValueError, Unreadable) as error:
        _complain(f"{error}")
        return 2


def _complain(text: str) -> None:
    """A refusal or error on stderr. The commands it names (`warroom verify`,
    `warroom tree backfill`, ...) are named as they run from here: from a
    checkout, `.venv/bin/warroom`, which is not on the PATH."""
    name = program()
    if name != "warroom":
        text = text.replace("`warroom ", f"`{name} ")
    print(f"warroom: {text}", file=sys.stderr)


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
    add.add_argument(
        "--email", help="where their meeting invitations go (none, by default)"
    )
    add.add_argument(
        "--org",
        help="the organisation's id (from `warroom org add`); "
        "may be left out while the database has at most one",
    )
    add.add_argument(
        "--expires",
        help="when the token stops working, e.g. 2027-03-31T17:00:00Z "
        "(never, by default)",
    )
    add.add_argument(
        "--url",
        default="http://127.0.0.1:8000",
        help="the war room's address, for the sign-in link it prints "
        "(default: %(default)s)",
    )

    email = user.add_parser(
        "email", help="set, change or take away where a user's invitations go"
    )
    email.add_argument("--name", required=True, help="the user's name")
    email.add_argument(
        "--org",
        help="the organisation's id; may be left out while the database has "
        "at most one",
    )
    given = email.add_mutually_exclusive_group(required=True)
    given.add_argument("--email", help="the new address")
    given.add_argument("--none", action="store_true", help="take the address away")

    org = sub.add_parser("org", help="manage organisations").add_subparsers(
        dest="action", required=True
    )
    org_add = org.add_parser("add", help="add an organisation; prints its id last")
    org_add.add_argument("--name", required=True)
    org_add.add_argument(
        "--takes-existing",
        action="store_true",
        help="the database's first organisation takes every user and inspection "
        "stored without one; refused without this flag while there are any",
    )

    sso = org.add_parser(
        "sso",
        help="sign an organisation's people in with its OpenID Connect provider "
        "(Entra ID, Google Workspace...); replaces its settings before",
    )
    sso.add_argument("--org", required=True, help="the organisation's id")
    sso.add_argument(
        "--issuer",
        required=True,
        help="the provider's issuer URL (its discovery document is "
        "ISSUER/.well-known/openid-configuration)",
    )
    sso.add_argument("--client-id", required=True)
    sso.add_argument(
        "--client-secret-file",
        required=True,
        help="a file holding the client secret (never on the command line, "
        "where other users of the machine see it); stored sealed",
    )
    sso.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="CLAIM_VALUE=ROLE",
        help="people whose claim holds CLAIM_VALUE get ROLE (repeat; the first "
        "that matches counts); people matching none have no access",
    )
    sso.add_argument(
        "--claim",
        default="groups",
        help="the ID token claim holding groups or app roles "
        "(default: %(default)s; Entra ID app roles: roles)",
    )

    serve = sub.add_parser("serve", help="run the HTTP server")
    _listen_on(serve)
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log one JSON line per request, without its query string "
        "(where a stream's token travels); or WARROOM_ACCESS_LOG=true",
    )
    serve.add_argument(
        "--workers",
        type=int,
        help="server processes on this port (PostgreSQL only; "
        "default WARROOM_WORKERS, or 1)",
    )

    sub.add_parser("rebuild", help="drop and rebuild every read model from the log")

    demo = sub.add_parser(
        "demo",
        help="load a demo inspection, then serve it (on --port: a port in use "
        "is refused before anything is loaded)",
    )
    access = sub.add_parser(
        "import-access-log",
        help="turn the case system's access log (CSV) into CaseBrowsed events",
    )
    access.add_argument("file", help="CSV; header user,case_ref,item,accessed_at")
    access.add_argument("--inspection", required=True, help="the inspection's id")
    access.add_argument(
        "--map",
        help="another layout's headers: "
        "user=Username,case_ref=CaseID,item=Document,accessed_at=Time",
    )

    # --- the daily blog by email (issue 13)
    blog = sub.add_parser("blog", help="the daily blog").add_subparsers(
        dest="action", required=True
    )
    send = blog.add_parser(
        "send", help="email a day's blog to the distribution list (once a day)"
    )
    send.add_argument("--inspection", required=True, help="the inspection's id")
    send.add_argument("--day", required=True, help="YYYY-MM-DD")
    send.add_argument(
        "--again", action="store_true", help="send it even if it went already"
    )

    _listen_on(demo)
    demo.add_argument("--no-serve", action="store_true", help="load only")
    _evidence_commands(sub)
    _cipher_commands(sub)
    _archive_commands(sub)
    return parser


# --- the verifiable log (warroom/evidence) -----------------------------------


def _evidence_commands(sub: Any) -> None:
    keygen = sub.add_parser(
        "keygen", help="print a new signer key, then its verifier key (signed-note)"
    )
    keygen.add_argument("--name", help="the log's name, e.g. example.gov.uk/warroom")
    verify = sub.add_parser(
        "verify", help="walk the whole log: intact, or where it breaks"
    )
    verify.add_argument(
        "--checkpoint",
        nargs="+",
        default=[],
        metavar="FILE",
        help="signed checkpoints kept outside the log (a blog email, a printout): "
        "the log must be consistent with each",
    )
    verify.add_argument(
        "--key",
        help="the verifier key, or a file holding it (by default, that of the "
        "configured signing key)",
    )
    verify.add_argument(
        "--org",
        metavar="ID",
        help="walk this organisation's log alone (by default, each "
        "organisation's in turn; a checkpoint is checked against the log its "
        "origin names)",
    )
    tree = sub.add_parser("tree", help="the log's Merkle tree").add_subparsers(
        dest="action", required=True
    )
    backfill = tree.add_parser(
        "backfill",
        help="make the tree of a log written before the tree was kept (once; "
        "recorded: positions before it are proven only from that moment)",
    )
    backfill.add_argument(
        "--by", help="who makes it, as the log will record (default: user@host)"
    )
    receipt = sub.add_parser("verify-receipt", help="check a hand-over receipt offline")
    receipt.add_argument("file", help="the receipt, as JSON")
    receipt.add_argument(
        "--key", required=True, help="the verifier key, or a file holding it"
    )


def _keygen(database: Database, args: argparse.Namespace) -> int:
    try:
        signer = Signer.generate(args.name)
    except NoteError as error:
        _complain(f"{error}")
        return 2
    print(signer.key_text())
    print(signer.verifier_text())
    return 0


def _verifier(key: str | None, tree: str = "") -> Verifier:
    """The key given, or that of the configured signing key for one
    organisation's log (`tree`: its key; the first's by default)."""
    if key is None:
        settings = Settings()
        database = Database.from_url(settings.database_url)
        signer, _ = load_signer(
            database, settings.signing_key, settings.signing_key_file, make=False
        )
        return signer_for(signer, tree).verifier()
    text = Path(key).read_text() if Path(key).is_file() else key
    return Verifier.parse(text)


def _verify(database: Database, args: argparse.Namespace) -> int:
    try:
        notes = [Path(name).read_text() for name in args.checkpoint]
    except OSError as error:
        _complain(f"{error}")
        return 2
    log = ReadOnlyLog(database)  # verification only reads
    try:
        trees = _trees_to_verify(log, args.org)
        intact = True
        for tree in trees:
            own = [n for n in notes if _tree_of_note(n, trees) == tree]
            verifier = _verifier(args.key, tree) if own else None
            report = log.evidence.verify(
                own, verifier, ProgressLines(sys.stderr), tree=tree
            )
            text = report.text()
            print(f"organisation {tree}: {text}" if len(trees) > 1 and tree else text)
            intact = intact and report.intact
    except (LookupError, OSError, NoteError, NoSigningKey) as error:
        _complain(f"{error}")
        return 2
    finally:
        log.close()
    return 0 if intact else 1


def _trees_to_verify(log: ReadOnlyLog, named: str | None) -> list[str]:
    """The organisation named's tree, or every organisation's (read from the
    log opened read-only: the first organisation's tree is `''`)."""
    try:
        trees = log.evidence.trees() or [""]
    except Exception:  # the tree's tables gone: the walk of the first names it
        trees = [""]
    if named is None:
        return trees
    if named in trees:
        return [named]
    registry_id = Organisations.create_id()
    registry = (
        log.repository.get(registry_id) if registry_id in log.repository else None
    )
    if not isinstance(registry, Organisations) or named not in registry.names:
        raise LookupError(f"no organisation with id {named}")
    return [""] if registry.first == named else [named]


def _tree_of_note(note: str, trees: Sequence[str]) -> str:
    """The tree a checkpoint signs, from its origin (`<name>/<id>` for an
    organisation but the first); the first's if it names no other."""
    try:
        origin = Checkpoint.from_text(note.partition("\n\n")[0] + "\n").origin
    except NoteError:
        return trees[0]
    named = origin.rpartition("/")[2]
    return named if named in trees else trees[0]


def _tree_backfill(database: Database, args: argparse.Namespace) -> int:
    by = args.by or f"{getpass.getuser()}@{socket.gethostname()}"
    app = WarRoom(database, backfilling=True)
    try:
        done = backfill_tree(app.recorder, app.mapper, by)
    except BackfillRefused as refused:
        _complain(f"nothing done: {refused}")
        return 2
    finally:
        app.close()
    print(f"made {done.leaves} leaves; {done.words()}")
    return 0


# What a receipt's proven names print as, in this order.
RECEIPT_NAMES = {
    "request": "the request",
    "to": "handed over to",
    "by": "released by",
}


def _verify_receipt(database: Database, args: argparse.Namespace) -> int:
    try:
        verifier = _verifier(args.key)
        receipt = json.loads(Path(args.file).read_text())
        event, names = verify_receipt_names(receipt, verifier)
    except (OSError, ValueError) as error:
        _complain(f"the receipt does not hold: {error}")
        return 1
    index = receipt["inclusion"]["index"]
    print(
        f"valid: leaf {index} of the log {verifier.name} "
        f"(tree of {receipt['inclusion']['size']}) is this event:"
    )
    print(json.dumps(event, indent=2, sort_keys=True))
    # The names, proven by leaves of the same signed tree (not ledger.json).
    for key, label in RECEIPT_NAMES.items():
        if key in names:
            print(f"{label}: {names[key]}")
    return 0


def _listen_on(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)


def _user_add(database: Database, args: argparse.Namespace) -> int:
    try:
        command = AddUser(
            name=args.name, role=args.role, email=args.email, expires_at=args.expires
        )
    except ValidationError as error:
        return _invalid(error)
    app = WarRoom(database)
    try:
        organisation_id = _organisation(app, args.org)
    except LookupError as error:
        app.close()
        _complain(f"{error}")
        return 2
    try:
        console = replace(CONSOLE, organisation_id=organisation_id)
        outcome = execute(app, console, command)
    except RuleBroken as refusal:
        _complain(f"{refusal.rule}: {refusal.message}")
        return 1
    finally:
        app.close()
    print(f"added {args.name} ({args.role}) with id {outcome.body['id']}")
    print(f"their sign-in link: {args.url.rstrip('/')}{outcome.body['sign_in_path']}")
    # Last, alone on its line: scripts and tests read it.
    print("their bearer token:")
    print(outcome.body["token"])
    return 0


def _user(database: Database, args: argparse.Namespace) -> int:
    if args.action == "email":
        return _user_email(database, args)
    return _user_add(database, args)


def _user_email(database: Database, args: argparse.Namespace) -> int:
    try:
        command = SetUserEmail(email=None if args.none else args.email)
    except ValidationError as error:
        return _invalid(error)
    app = WarRoom(database)
    try:
        organisation_id = _organisation(app, args.org)
        user_id = user_named(app, args.name, organisation_id)
        if user_id is None:
            raise LookupError(f"no user named {args.name!r}")
        console = replace(CONSOLE, organisation_id=organisation_id)
        execute(app, console, command, target_id=str(user_id))
    except LookupError as error:
        _complain(f"{error}")
        return 2
    except RuleBroken as refusal:
        _complain(f"{refusal.rule}: {refusal.message}")
        return 1
    finally:
        app.close()
    print(
        f"{args.name}'s invitations go to {command.email}"
        if command.email
        else f"{args.name} has no address: no invitations go to them"
    )
    return 0


def _organisation(app: WarRoom, named: str | None) -> str | None:
    """The organisation a new user joins: the one named, or the only one.

    With no organisation in the database, none (as before organisations): the
    user joins the first organisation whenever one is added.
    """
    registry_id = Organisations.create_id()
    known = (
        app.load(Organisations, registry_id).names if app.exists(registry_id) else {}
    )
    if named is not None and named in known:
        return named
    if named is None and len(known) <= 1:
        return next(iter(known), None)
    problem = (
        f"no organisation with id {named}"
        if named is not None
        else "there are several organisations: name one with --org"
    )
    listed = "".join(f"\n  {i}  {name}" for i, name in known.items())
    raise LookupError(f"{problem}; the organisations are:{listed}")


def _org(database: Database, args: argparse.Namespace) -> int:
    if args.action == "sso":
        return _org_sso(database, args)
    return _org_add(database, args)


def _org_sso(database: Database, args: argparse.Namespace) -> int:
    try:
        secret = Path(args.client_secret_file).read_text()
    except OSError as error:
        print(f"warroom: --client-secret-file: {error.strerror}", file=sys.stderr)
        return 2
    settings = Settings()
    try:
        signer, _ = load_signer(
            database, settings.signing_key, settings.signing_key_file
        )
    except NoSigningKey as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2
    request = SignOnRequest(
        organisation_id=args.org,
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=secret,
        claim=args.claim,
        roles=tuple(args.role),
    )
    ctx = Context(CONSOLE.id, CONSOLE.name, datetime.now(UTC))
    app = WarRoom(database)
    try:
        stored = configure_sign_on(app, ctx, request, SecretSeal(signer))
    except BadSignOn as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    mapped = ", ".join(f"{v} -> {r}" for v, r in stored.roles.items())
    print(f"organisation {args.org} signs in with {stored.issuer}")
    print(f"its claim {stored.claim!r} maps: {mapped}")
    print(f"the provider's redirect URI: <this server's address>{CALLBACK_PATH}")
    return 0


def _org_add(database: Database, args: argparse.Namespace) -> int:
    try:
        command = AddOrganisation(name=args.name)
    except ValidationError as error:
        return _invalid(error)
    ctx = Context(CONSOLE.id, CONSOLE.name, datetime.now(UTC))
    app = WarRoom(database)
    try:
        organisation_id = add_organisation(
            app, ctx, command, takes_existing=args.takes_existing
        )
    except RuleBroken as error:
        _complain(f"{error.message}")
        return 2
    finally:
        app.close()
    print(f"added organisation {args.name}; its id:")
    print(organisation_id)
    return 0


def _invalid(error: ValidationError) -> int:
    first = error.errors()[0]
    _complain(f"{first['loc'][0]}: {first['msg']}")
    return 2


# --- export and import (warroom/archive.py) ------------------------------------


def _archive_commands(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="write one organisation's whole log, documents and checkpoints to a zip",
    )
    export.add_argument("--out", required=True, metavar="FILE.zip")
    export.add_argument(
        "--org",
        metavar="ID",
        help="the organisation whose record it is (from `warroom org add`); "
        "needed only when the database holds several",
    )
    load = sub.add_parser(
        "import", help="load an export into an empty database, checked first"
    )
    load.add_argument("file", metavar="FILE.zip")
    load.add_argument(
        "--key",
        help="the verifier key (or a file holding it): the export's checkpoints "
        "must carry its signature",
    )


def _signer(database: Database, settings: Settings) -> Signer:
    signer, made = load_signer(
        database, settings.signing_key, settings.signing_key_file
    )
    if made:
        _complain(f"{made}")
    return signer


def _export(database: Database, args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        signer: Signer | None = _signer(database, settings)
    except NoSigningKey:
        signer = None  # the export holds the days' seals, but no head checkpoint
    app = WarRoom(database)
    try:
        tree = app.tree_of(_organisation(app, args.org))
        manifest = export_log(app, Path(args.out), signer, tree)
    except LookupError as error:
        _complain(f"{error}")
        return 2
    except Refused as refusal:
        _complain(f"export refused: {refusal}")
        return 1
    finally:
        app.close()
    print(
        f"exported {manifest.events} events, {manifest.documents} documents and "
        f"{len(manifest.checkpoints)} checkpoints to {args.out}; "
        f"root {manifest.root.hex()}"
    )
    return 0


def _import(database: Database, args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        verifier = _verifier(args.key) if args.key else None
        signer = _signer(database, settings)
    except (OSError, NoteError, NoSigningKey) as error:
        _complain(f"{error}")
        return 2
    app = WarRoom(database)
    app.use_signer(signer)  # closed days are sealed again as they go in
    try:
        events = import_log(
            app,
            Path(args.file),
            verifier,
            max_document_bytes=settings.max_body_bytes,  # no upload was larger
        )
        root = app.evidence.head().root.hex()
    except Refused as refusal:
        _complain(f"import refused, nothing stored: {refusal}")
        return 1
    finally:
        app.close()
    print(f"imported {events} events; root {root}")
    return 0


# --- encryption at rest -------------------------------------------------------


def _cipher_commands(sub: Any) -> None:
    keygen: argparse.ArgumentParser = sub.choices["keygen"]
    keygen.add_argument(
        "--cipher",
        action="store_true",
        help="instead, print a key for WARROOM_CIPHER_KEY (encryption at rest)",
    )


def _keygen_either(database: Database, args: argparse.Namespace) -> int:
    """`keygen --name NAME` (a signer key) or `keygen --cipher`."""
    if args.cipher:
        return _keygen_cipher()
    if args.name:
        return _keygen(database, args)
    print("warroom: keygen: say which key: --name NAME or --cipher", file=sys.stderr)
    return 2


def _keygen_cipher() -> int:
    """Prints a key for WARROOM_CIPHER_KEY: AES-256, base64, as the library's
    AES cipher takes it. Keep it outside the database it encrypts."""
    print(AESGCMCipher.create_key(32))
    return 0


def _serve(database: Database, args: argparse.Namespace) -> int:
    # A wrong or missing cipher key is said here, plainly, not in a traceback
    # from the server's start.
    WarRoom(database).close()
    return _run_server(
        args.host, args.port, access_log=args.access_log, workers=args.workers
    )


def _rebuild(database: Database, args: argparse.Namespace) -> int:
    return rebuild_and_report(database)


def _import_access_log(database: Database, args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as file:
            most = Settings().access_log_max_rows
            rows = parse(file.read(), column_map(args.map), most)
        command = ImportAccessLog(rows=rows)
    except OSError as error:
        _complain(f"{error}")
        return 2
    except TooManyRows as problem:
        _complain(f"{args.file}: {problem}; nothing stored")
        return 2
    except MalformedLog as problem:
        _complain(f"{args.file}: {problem}; nothing stored")
        return 2
    app = WarRoom(database)
    try:
        # Whoever holds the database, as the rapid response team would.
        outcome = execute(
            app,
            replace(CONSOLE, role="rapid_response"),
            command,
            inspection_id=args.inspection,
        )
    except DomainError as refusal:
        _complain(f"{refusal}")
        return 1
    finally:
        app.close()
    report = outcome.body
    print(
        f"{report['events']} rows became events, {report['already']} were "
        f"already there, {len(report['unmatched'])} matched nothing"
    )
    for row in report["unmatched"]:
        print(f"  line {row['line']}: {row['reason']}")
    return 0


def _blog_send(database: Database, args: argparse.Namespace) -> int:
    # Imported here, as for `serve`: the web layer is slow to import.
    from mail.blog_sender import Mailer, read_from_log

    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        _complain(f"--day: {args.day!r} is not YYYY-MM-DD")
        return 2
    settings = Settings()
    app = WarRoom(database)
    try:
        inspection_id = str(app.load(Inspection, args.inspection).id)
        ctx = Context(
            CONSOLE.id, CONSOLE.name, datetime.now(UTC), inspection_id=inspection_id
        )
        outcome = Mailer.of(app, settings).send(
            ctx, day, read_from_log(app, inspection_id, day), again=args.again
        )
    except NotFound as error:
        _complain(f"{error}")
        return 2
    except RuleBroken as refusal:
        _complain(f"{refusal.rule}: {refusal.message}")
        return 1
    finally:
        app.close()
    if outcome.status != "sent":
        print(f"warroom: the blog for {day} was not sent: {outcome.reason}")
        return 1
    where = f" (in the outbox: {outcome.outbox_file})" if outcome.outbox_file else ""
    print(
        f"sent the blog for {day} to {len(outcome.recipients)} recipients{where}; "
        "its Message-ID:"
    )
    print(outcome.message_id)
    return 0


def _demo(database: Database, args: argparse.Namespace) -> int:
    # Before anything is loaded or a token printed: tokens for a server that
    # cannot start would be tokens for nothing.
    if not args.no_serve and not _port_free(args.host, args.port):
        print(
            f"warroom: port {args.port} on {args.host} is already in use (another "
            "warroom, or another server); choose another with --port, e.g. "
            f"{program()} demo --port {args.port + 1}",
            file=sys.stderr,
        )
        return 2
    settings = Settings()
    verifier_key = None
    try:  # made now, if need be, so that the auditor's key is printed with the rest
        signer, made = load_signer(
            database, settings.signing_key, settings.signing_key_file
        )
        verifier_key = signer.verifier_text()
        if made:
            _complain(f"{made}")
    except NoSigningKey:
        pass  # the server says so as it refuses to start; --no-serve needs none
    load_demo(database, f"http://{args.host}:{args.port}", verifier_key=verifier_key)
    return 0 if args.no_serve else _run_server(args.host, args.port)


def _port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as uvicorn binds it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def _run_server(
    host: str, port: int, *, access_log: bool = False, workers: int | None = None
) -> int:
    # Imported here, not at the top: the web app and uvicorn take about half a
    # second to import, which every other command (`warroom user add` runs
    # once per user in the tests) would pay for nothing.
    from web import workers as several
    from web.serve import serve

    settings = Settings()
    if access_log:
        settings = settings.model_copy(update={"access_log": True})
    processes = settings.workers if workers is None else workers
    try:
        several.check(settings, processes)
    except several.WorkersRefused as refusal:
        _complain(f"{refusal}")
        return 2
    try:  # a clear refusal, before the server starts (PostgreSQL needs a key)
        _, made = load_signer(
            Database.from_url(settings.database_url),
            settings.signing_key,
            settings.signing_key_file,
        )
    except NoSigningKey as error:
        _complain(f"{error}")
        return 2
    if made:
        _complain(f"{made}")
    try:  # a log with events and no tree is never served (nor given one)
        WarRoom(Database.from_settings(settings)).close()
    except TreeMissing as error:
        _complain(f"{error}")
        return 2
    gc.set_threshold(*settings.gc_thresholds)
    # JSON logs, graceful shutdown (web/logs.py, web/shutdown.py, web/serve.py).
    if processes > 1:
        several.serve(settings, host, port, processes)
    else:
        serve(settings, host, port)
    return 0


# What each `warroom` command runs (`user` and `org` choose by their action).
SUBCOMMANDS: dict[str, Callable[[Database, argparse.Namespace], int]] = {
    "user": _user,
    "org": _org,
    "serve": _serve,
    "rebuild": _rebuild,
    "demo": _demo,
    "import-access-log": _import_access_log,
    # The verifiable log.
    "keygen": _keygen_either,
    # Export and import.
    "export": _export,
    "import": _import,
    "verify": _verify,
    "verify-receipt": _verify_receipt,
    "tree": _tree_backfill,
    "blog": _blog_send,
}


if __name__ == "__main__":
    raise SystemExit(main())
