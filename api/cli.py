"""``gongxiao``: the command line of API.md."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongxiao", description="Gongxiao co-op platform")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    commands.add_parser("demo", help="fill the store with a realistic week of the district")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args.host, args.port)
    return _demo()


def _serve(host: str, port: int) -> int:
    import uvicorn

    from api.main import create_app

    uvicorn.run(create_app(), host=host, port=port)
    return 0


def _demo() -> int:
    from infra.composition import build_application
    from infra.demo import load_demo

    print(json.dumps(load_demo(build_application())))
    return 0
