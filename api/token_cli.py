"""``gongxiao token create|list|revoke``: refusals go to stderr with exit code 2."""

from __future__ import annotations

import argparse
import sys

from infra.token_admin import create_token, list_tokens, revoke_token

COLUMNS = ("id", "role", "scope", "created_at", "expires_at", "revoked_at")


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = [[str(row[c] or "-") for c in COLUMNS] for row in list_tokens()]
        widths = [max(len(r[i]) for r in [list(COLUMNS), *rows]) for i in range(len(COLUMNS))]
        for line in [list(COLUMNS), *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        return 0
    if args.action == "revoke":
        if not revoke_token(args.id):
            return _refused("revoke", f"no token has the id {args.id}; `gongxiao token list` shows them")
        print(f"token {args.id} is revoked; a server that met it lately refuses it within its "
              "GONGXIAO_TOKEN_CACHE_SECONDS (30 s unless set)", file=sys.stderr)
        return 0
    try:
        print(create_token(role=args.role, scope=args.scope, days=args.expires_in))
    except ValueError as refused:
        return _refused("create", str(refused))
    print(f"the token works for {args.expires_in} days; only its hash is kept", file=sys.stderr)
    return 0


def _refused(action: str, why: str) -> int:
    print(f"gongxiao token {action}: {why}", file=sys.stderr)
    return 2
