"""``prioritise serve`` and ``prioritise users add``: the planning workspace web app.

Both take ``--workspace DIR`` (default ``./workspace``): the folder with the SQLite database
and every uploaded file and plan output. ``--database-url`` points at PostgreSQL instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prioritise.cli.flags import MEGABYTES, PORT, WORKERS, number

DEFAULT_WORKSPACE = Path("workspace")


def _workspace_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workspace",
        type=Path,
        default=DEFAULT_WORKSPACE,
        metavar="DIR",
        help="folder for the database, uploads and plan outputs (default ./workspace)",
    )
    p.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the database (default: SQLite in the workspace), e.g. "
        "postgresql+psycopg://user@host/prioritise",
    )


def add_commands(sub: Any, parent: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", parents=parent, help="run the planning workspace web app")
    _workspace_flags(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=number(PORT), default=8000, help="port (default 8000)")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address for plan jobs")
    p.add_argument(
        "--workers", type=number(WORKERS), default=2, help="local worker processes (default 2)"
    )
    p.add_argument(
        "--max-upload-mb",
        type=number(MEGABYTES),
        default=200.0,
        help="largest upload accepted (default 200)",
    )
    p.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="send the session cookie over plain http too (only for a trusted network "
        "without https; browsers on this machine accept secure cookies on 127.0.0.1)",
    )
    p.set_defaults(run=cmd_serve)

    users = sub.add_parser("users", parents=parent, help="manage workspace accounts")
    usub = users.add_subparsers(dest="users_command", required=True)
    p = usub.add_parser(
        "add", parents=parent, help="add a user (the password is read from standard input)"
    )
    p.add_argument("name", help="user name (letters, digits, _ . @ -)")
    p.add_argument("--role", choices=["admin", "planner", "viewer"], required=True)
    p.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    _workspace_flags(p)
    p.set_defaults(run=cmd_users_add)


def _config(args: argparse.Namespace, **extra: Any) -> Any:
    from prioritise.app.config import AppConfig

    return AppConfig(workspace=args.workspace, database_url=args.database_url, **extra)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from prioritise.app.server import create_app

    cfg = _config(
        args,
        scheduler=args.scheduler,
        workers=args.workers,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        secure_cookies=not args.insecure_cookies,
    )
    app = create_app(cfg)
    print(
        f"Workspace {args.workspace.resolve()} at http://{args.host}:{args.port}/ (Ctrl+C to stop)",
        file=sys.stderr,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from prioritise.app.auth import AccountError, add_user
    from prioritise.app.db import audit, make_engine, migrate, session_factory

    password = sys.stdin.readline().rstrip("\r\n")
    cfg = _config(args)
    cfg.workspace.mkdir(parents=True, exist_ok=True)
    engine = make_engine(cfg.db_url)
    migrate(engine)
    with session_factory(engine)() as db:
        try:
            user = add_user(db, args.name, args.role, password)
        except AccountError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 2
        audit(db, None, "user.add", f"user {user.name}", f"role {user.role}; from the command line")
        db.commit()
    engine.dispose()
    print(f"Added {args.role} {args.name!r} to {cfg.workspace}.")
    return 0
