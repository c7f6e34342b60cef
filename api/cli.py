"""``gongxiao``: the command line of API.md. Each command imports only what it runs."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

WORKERS = ("projections", "relay", "scans", "scheduler")
ROLES = ("admin", "operator", "shop", "outlet", "farmer", "accountant")


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    if args.command == "serve":
        return _serve(args.host, args.port, args.workers)
    if args.command == "demo":
        return _demo()
    if args.command == "token":
        from api.token_cli import run

        return run(args)
    if args.command == "worker":
        worker = importlib.import_module(f"workers.{args.name}")
        return int(worker.main(extra) or 0)
    from workers.projections import faults, rebuild

    if args.action == "faults":
        return faults(args.name)
    return int(rebuild(args.name, processes=args.processes) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongxiao", description="Gongxiao co-op platform")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive, default=None,
                       help="API processes sharing the port (PostgreSQL only; default "
                            "GONGXIAO_WEB_WORKERS or 1); the projections run beside them")
    commands.add_parser("demo", help="fill the store with a realistic week of the district")
    token = commands.add_parser("token", help="API tokens").add_subparsers(dest="action",
                                                                          required=True)
    create = token.add_parser("create", help="create a token and print it (only its hash is kept)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--scope", default=None, help="the site or farmer id the token acts for")
    create.add_argument("--expires-in", type=_days, default=365, metavar="DAYS",
                        help="days the token works for (default 365, at most 3650)")
    token.add_parser("list", help="every token: id, role, scope, created, expires, revoked")
    token.add_parser("revoke", help="stop a token working (within GONGXIAO_TOKEN_CACHE_SECONDS)"
                     ).add_argument("id", help="the token's id, as `token list` shows it")
    # The worker's own options (and its --help) belong to the worker's parser: they are passed on.
    worker = commands.add_parser("worker", help="run one background worker; "
                                 "`gongxiao worker NAME --help` shows its options", add_help=False)
    worker.add_argument("name", choices=WORKERS)
    projections = commands.add_parser("projections", help="read models").add_subparsers(
        dest="action", required=True)
    rebuild = projections.add_parser("rebuild", help="rebuild a view from the log and swap it in")
    rebuild.add_argument("name", nargs="?", default=None)
    rebuild.add_argument("--processes", type=_positive, default=None,
                         help="processes to deal the views to (default: 1 on the embedded "
                              "store, one per CPU on PostgreSQL)")
    listed = projections.add_parser("faults", help="the events a view could not take and "
                                    "went on without (mend the code, then rebuild the view)")
    listed.add_argument("name", nargs="?", default=None)
    return parser


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def _days(text: str) -> int:
    from infra.tokens import MAX_DAYS

    days = int(text)
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"a token lasts 1 to {MAX_DAYS} days, not {text}")
    return days


def _serve(host: str, port: int, workers: int | None) -> int:
    import uvicorn

    from api.main import create_app
    from infra.settings import Settings

    settings = Settings.from_env()
    workers = workers or settings.web_workers
    if workers == 1:
        uvicorn.run(create_app(), host=host, port=port)
        return 0
    if settings.embedded:
        print("gongxiao serve: several workers need PostgreSQL (set GONGXIAO_DATABASE_URL); "
              "the embedded store belongs to one process", file=sys.stderr)
        return 2
    from api.serving import serve_workers

    return serve_workers(settings, host=host, port=port, workers=workers)


def _demo() -> int:
    from infra.composition import Composition
    from infra.demo import guide, load_demo

    wired = Composition()
    try:
        loaded = load_demo(wired.app)
        print(json.dumps(loaded))
        print(guide(wired.app, wired.settings, loaded), file=sys.stderr)
    finally:
        wired.close()
    return 0
