"""The buyer's page names who packed and sold the pack, and how to reach them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from domain.application import Gongxiao
from infra.settings import Settings
from infra.views import ReadModels
from tests.unit.api.conftest import UNLIMITED
from tests.unit.api.helpers import stocked


def test_the_buyers_page_names_the_coop_and_its_telephone_in_the_buyers_language(
        district: Gongxiao, settings: Settings, views: ReadModels,
        catch_up: Callable[[], Any]) -> None:
    [code] = stocked(district, packs=1)
    catch_up()
    named = replace(settings, coop_name="唐昌镇供销合作社", coop_phone="028-8788 1234")
    with TestClient(create_app(district, settings=named, views=views, limits=UNLIMITED,
                               project=False)) as client:
        chinese = client.get(f"/t/{code}").text
        english = client.get(f"/t/{code}", params={"lang": "en"}).text
    assert "由唐昌镇供销合作社包装销售。 电话：028-8788 1234" in chinese
    assert "Packed and sold by 唐昌镇供销合作社. Telephone: 028-8788 1234" in english
    with TestClient(create_app(district, settings=replace(named, coop_phone=None), views=views,
                               limits=UNLIMITED, project=False)) as client:
        unlisted = client.get(f"/t/{code}").text
    assert "由唐昌镇供销合作社包装销售。" in unlisted and "电话" not in unlisted
