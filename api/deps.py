"""Dependencies of the routes, as ``Annotated`` aliases: the application, the views, the
caller behind the bearer token, and the runner that answers a command once per key.

They are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a hand-off
per dependency per request. The rate limit (``api.limits``) has already verified the
token, once, to know what to count the request against; its answer is taken from there."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.jsonio import Answer
from api.limits import CALLER
from contract.fields import Command
from infra.application import StoredGongxiao
from infra.commands import perform
from infra.idempotency import Replies, caller_of
from infra.problems import Unauthorized
from infra.tokens import Principal
from infra.views import ReadModels

bearer = HTTPBearer(auto_error=False, description="a token made by `gongxiao token create`")


async def get_gongxiao(request: Request) -> StoredGongxiao:
    return request.app.state.gongxiao


async def get_views(request: Request) -> ReadModels:
    return request.app.state.views


async def get_principal(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The caller of a request that needs a token: 401 without a valid one."""
    found = request.scope.get(CALLER)
    if found is None:
        detail = ("this needs a token: send Authorization: Bearer <token>" if credentials is None
                  else "this token is not known, has expired or was revoked; "
                       "ask the co-op office for a new one")
        raise Unauthorized(detail)
    request.state.principal = found
    return found


Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["f-zhang"])]
App = Annotated[StoredGongxiao, Depends(get_gongxiao)]
Views = Annotated[ReadModels, Depends(get_views)]
Caller = Annotated[Principal, Depends(get_principal)]


async def _admin(caller: Caller) -> Principal:
    return caller.allow()


Admin = Annotated[Principal, Depends(_admin)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="a new key (a UUID) per command; sending the same command with the same key "
                "again answers the first answer and records nothing")]


class CommandRunner:
    """Runs a command through its use case once per Idempotency-Key of its caller and
    answers it."""

    def __init__(self, request: Request, app: StoredGongxiao, caller: Principal,
                 key: str | None) -> None:
        self.request, self.app, self.key = request, app, key
        self.caller = caller_of(caller.role, caller.scope)

    def __call__(self, command: Command) -> Answer:
        replies: Replies = self.request.app.state.replies
        status, body, replayed = perform(self.app, command, caller=self.caller, key=self.key,
                                         replies=replies, base_url=str(self.request.base_url))
        return Answer(body, status, {"Idempotent-Replayed": "true"} if replayed else None)


async def get_runner(request: Request, caller: Caller, key: IdempotencyKey = None) -> CommandRunner:
    return CommandRunner(request, request.app.state.gongxiao, caller, key)


Run = Annotated[CommandRunner, Depends(get_runner)]
