"""The pages' languages: gettext catalogs read with Babel, and the Jinja2 environment using them.

The catalogs are the ``.po`` files under ``locale/``; they are compiled in memory when the
app starts, so no compiled file can fall out of step with its source. To add or change a
string: mark it with ``_()`` (templates, ``messages.py``), then

    pybabel extract -F api/pages/babel.cfg -o api/pages/locale/messages.pot .   # from the repo root
    pybabel update --no-fuzzy-matching -i api/pages/locale/messages.pot -d api/pages/locale

and translate it in ``locale/zh_CN/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).parent
LOCALES = {"zh": "zh_CN", "zh-CN": "zh_CN", "zh_CN": "zh_CN", "en": "en"}
DEFAULT = "zh_CN"


def locale_of(lang: str | None) -> str:
    """The catalog a ``?lang=`` asks for; Chinese unless English is asked."""
    return LOCALES.get(lang or "", DEFAULT)


@functools.cache
def translations(locale: str) -> Translations:
    path = HERE / "locale" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


@functools.cache
def environment(locale: str) -> Environment:
    """One environment per language, so rendering never switches catalogs under a request."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "svg"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = locale
    env.globals["html_lang"] = "zh-CN" if locale == "zh_CN" else "en"
    return env


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)
