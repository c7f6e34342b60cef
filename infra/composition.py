"""The composition root: every entrypoint (``api.main``, ``api.serving``, each
``workers/*.main``, the command line) gets what it runs on from here, wired once from the
settings: the application on the store they name, its read models (views), API tokens and
the commands' kept replies. Each part is built on first use: the relay never opens the views."""

from __future__ import annotations

from functools import cached_property

from infra.application import StoredGongxiao
from infra.idempotency import Replies
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import ReadModels, build_views


class Composition:
    """What one process runs on. ``app`` and ``views`` may be given (tests build their own);
    ``close()`` closes what it built."""

    def __init__(self, settings: Settings | None = None, *, app: StoredGongxiao | None = None,
                 views: ReadModels | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._given_app, self._given_views = app, views

    @cached_property
    def app(self) -> StoredGongxiao:
        return self._given_app or StoredGongxiao(env=self.settings.event_store_env())

    @cached_property
    def views(self) -> ReadModels:
        return self._given_views or build_views(self.settings)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.app.recorder, cache_s=self.settings.token_cache_s)

    @cached_property
    def replies(self) -> Replies:
        return Replies(self.app.recorder)

    def close(self) -> None:
        if "views" in self.__dict__ and self._given_views is None:
            self.views.close()
        if "app" in self.__dict__ and self._given_app is None:
            self.app.close()


def build_application(settings: Settings | None = None) -> StoredGongxiao:
    """The application alone (the demo, the token commands): the composition's ``app``."""
    return Composition(settings).app
