"""The screens' words for refusals: one for every refusal the domain can make, translated into
Chinese with the same members, so an operator never reads the API's English for those."""

from __future__ import annotations

import importlib
import pkgutil
import re

import domain
from api.pages.i18n import gettext
from api.pages.messages import HOLDS, PROBLEMS
from domain.errors import DomainError
from infra.problems import problem_for


def subclasses(cls: type) -> list[type]:
    return [cls, *[s for c in cls.__subclasses__() for s in subclasses(c)]]


def members(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_refusal_of_the_domain_has_words_on_the_screens() -> None:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)  # every aggregate's errors, for the walk below
    slugs = set()
    for cls in subclasses(DomainError):
        refusal = cls.__new__(cls)
        refusal.detail, refusal.extra = "refused", {}
        slugs.add(problem_for(refusal)[1]["type"].rsplit("/", 1)[1])
    assert slugs <= {slug.split(".")[0] for slug in PROBLEMS}


def test_every_refusal_message_is_chinese_with_the_same_members() -> None:
    for message in [*PROBLEMS.values(), *HOLDS.values()]:
        chinese = gettext("zh_CN", message)
        assert chinese != message and re.search(r"[\u4e00-\u9fff]", chinese), message
        assert members(chinese) == members(message), message
        assert gettext("en", message) == message
