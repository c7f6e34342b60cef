"""Sites of the co-op: cold stores, input shops and outlets (admin; the list for staff)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Admin, App, Caller, Id, Views
from api.jsonio import Answer, ExactRoute
from contract.masterdata import SiteCreate, SiteListed, SitePublic
from contract.problems import problems

router = APIRouter(prefix="/v1/sites", tags=["master data"], route_class=ExactRoute)


@router.get("", response_model=list[SiteListed],
            response_description="every site: cold stores, input shops, outlets",
            responses=problems(401, 403))
def list_sites(views: Views, caller: Caller) -> Answer:
    """For screens that name sites: the station's open orders say 金牛区农产品直营店, not an id."""
    caller.allow("operator", "outlet", "shop", "accountant")
    return Answer(views.trace.sites())


@router.put("/{site_id}", response_model=SitePublic,
            response_description="the site as registered",
            responses=problems(401, 403, 409, 422))
def put_site(site_id: Id, body: SiteCreate, app: App, _: Admin) -> Answer:
    """Register a site, or correct its name or time zone (a site never changes kind)."""
    return Answer(app.register_site(site_id=site_id, **body.model_dump()))
