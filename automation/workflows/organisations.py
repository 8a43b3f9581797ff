"""Matching a contact's organisation to the network's list: case- and accent-insensitive, with
known aliases ("OPH" is Opetushallitus). Pure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


def normalised(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").split())


def matcher(organisations: Iterable[Organisation]) -> dict[str, Organisation]:
    table: dict[str, Organisation] = {}
    for organisation in organisations:
        for name in (organisation.name, *organisation.aliases):
            table[normalised(name)] = organisation
    return table


def match(text: str, table: dict[str, Organisation]) -> Organisation | None:
    return table.get(normalised(text)) if text.strip() else None
