"""How many of our files one intake scan crosses, from the route to the stored event (#12).

The measure: ``POST /v1/batches`` is traced with a profiler in every thread the test client
runs it on, from the moment its route's handler starts (its body read, its dependencies —
the caller, the runner — then the route function) until the event store's ``insert_events``
returns. Every project file (``api``, ``contract``, ``infra``, ``domain``…, not the tests and
not the libraries) that has code run in that window counts once. The middleware every request
crosses (security headers, metrics, rate limit: the app's ``user_middleware``) is not counted,
neither before the route nor in its wrappers of the body's reading; it is listed apart. The
*spine* is the files on the call stack at the moment the event is written: the path the write
itself takes, without the side trips it made (loading the aggregates, deciding) and came back
from.

``python -m tests.unit.api.test_intake_path`` prints the files in the order they are first
entered. A file whose code runs no Python (a pydantic model validated in Rust, e.g.
``contract/coldstore.py``) is not seen; only its validators (``contract/fields.py``) are.
"""

from __future__ import annotations

import inspect
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import build_views
from tests.district import seed
from tests.unit.api.conftest import UNLIMITED
from tests.unit.api.helpers import intake_body

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("api", "contract", "domain", "infra", "projections", "workers")
# Every intake scan the route crosses, its side trips included; the spine alone.
MOST_FILES = 19
MOST_ON_SPINE = 8


@dataclass
class Path_:
    before_route: list[str] = field(default_factory=list)
    route_to_event: list[str] = field(default_factory=list)
    spine: list[str] = field(default_factory=list)


def project_file(frame: FrameType) -> str | None:
    try:
        relative = Path(frame.f_code.co_filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    return str(relative) if relative.parts[0] in PROJECT else None


def is_route_handler(frame: FrameType) -> bool:
    name = frame.f_code.co_qualname
    return (name.endswith("get_route_handler.<locals>.exact")
            or name.endswith("get_request_handler.<locals>.app"))


def under_middleware(frame: FrameType, middleware: set[str]) -> bool:
    """Whether a call inside the route's handler is the middleware's (its wrappers of the
    body's reading and the answer's sending), which every request crosses."""
    caller: FrameType | None = frame
    while caller is not None and not is_route_handler(caller):
        if caller.f_code.co_filename in middleware:
            return True
        caller = caller.f_back
    return False


def trace_intake(tmp: Path) -> Path_:
    settings = Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp,
                        public_url="https://trace.gongxiao.test")
    app = StoredGongxiao(env=settings.event_store_env())
    views = build_views(settings)
    seed(app)
    token = Tokens(app.recorder).issue(role="operator", scope="yongan")
    headers = {"Authorization": f"Bearer {token}"}
    found = Path_()
    state: dict[str, Any] = {"on": False, "window": False, "done": False}
    lock = threading.Lock()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if not state["on"] or state["done"]:
            return
        name = frame.f_code.co_qualname
        if event == "call" and not state["window"] and is_route_handler(frame):
            state["window"] = True
        if event == "call" and name.endswith("insert_events") and state["window"]:
            with lock:
                if not found.spine:
                    stack, caller = [], frame
                    while caller is not None:
                        stack.append(caller)
                        caller = caller.f_back
                    spine = [project_file(f) for f in reversed(stack)
                             if f.f_code.co_filename not in middleware]
                    found.spine = list(dict.fromkeys(f for f in spine if f))
        if event == "return" and name.endswith(".insert_events") and state["window"]:
            state["done"] = True
        if event != "call":
            return
        file = project_file(frame)
        if file is None:
            return
        in_route = state["window"] and not under_middleware(frame, middleware)
        with lock:
            seen = found.route_to_event if in_route else found.before_route
            if file not in seen:
                seen.append(file)

    api = create_app(app, settings=settings, views=views, limits=UNLIMITED, project=False)
    middleware = {inspect.getfile(m.cls) for m in api.user_middleware}
    threading.setprofile(profile)
    try:
        client = TestClient(api)
        with client:
            # The first scan warms what every later one finds ready (imports, caches).
            assert client.post("/v1/batches", json=intake_body("B0"),
                               headers=headers).status_code == 201
            state["on"] = True
            sys.setprofile(profile)
            response = client.post("/v1/batches", json=intake_body("B1"), headers=headers)
            sys.setprofile(None)
            state["on"] = False
        assert response.status_code == 201, response.text
        assert state["done"], "the event was never written"
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        app.close()
        views.close()
    return found


def test_an_intake_scan_crosses_few_files_from_the_route_to_the_stored_event(
        tmp_path: Path) -> None:
    path = trace_intake(tmp_path)
    assert "api/routes/batches.py" in path.route_to_event
    assert "domain/batch.py" in path.route_to_event
    assert path.spine[-1] == "infra/recorders.py", path.spine
    assert len(path.route_to_event) <= MOST_FILES, path.route_to_event
    assert len(path.spine) <= MOST_ON_SPINE, path.spine


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = trace_intake(Path(tmp))
    print(f"the middleware every request crosses: {len(path.before_route)}")
    for file in path.before_route:
        print(f"  {file}")
    print(f"route to stored event: {len(path.route_to_event)}")
    for file in path.route_to_event:
        print(f"  {file}{'   (spine)' if file in path.spine else ''}")
    print(f"spine (on the stack when the event is written): {len(path.spine)}")


if __name__ == "__main__":
    main()
