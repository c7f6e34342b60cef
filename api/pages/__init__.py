"""The pages people use: the buyer's trace page and the station, outlet and staff screens."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import screens, staff, trace

router = APIRouter(include_in_schema=False)
router.include_router(trace.router)
router.include_router(screens.router)
router.include_router(staff.router, include_in_schema=True)
