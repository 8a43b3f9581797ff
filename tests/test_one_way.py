"""The intake runs one way down the layers: while a reply is read, understood, routed, decided
and committed, and while the coordinator resolves a kept message, no function of a lower layer
calls one of a higher layer (no callback climbs back into the shell). The layers are those of
the import contract in pyproject.toml, so the rule checked at run time is the one `lint-imports`
checks in the code."""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from embedded import MAILDIRS, MARCH_MEETING, REPO, cli, network

from automation import service
from automation.cli import desk as cli_desk

CONFIG = MAILDIRS + MARCH_MEETING


def _layers() -> list[tuple[str, ...]]:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    [layered] = [c for c in contracts["contracts"] if c["type"] == "layers"]
    return [tuple(name.strip() for name in group.split("|")) for group in layered["layers"]]


LAYERS = _layers()


def _layer(module: str) -> int | None:
    for number, group in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in group):
            return number
    return None


def watched(target: Callable[..., Any], found: Counter[str]) -> Callable[..., Any]:
    """`target`, counting every call from a module of a lower layer into one of a higher layer
    made while it runs (the clock the command line hands the daemon is outside: the intake is
    what is watched)."""

    def watch(frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call" or frame.f_back is None:
            return
        callee, caller = frame.f_globals.get("__name__", ""), frame.f_back.f_globals.get("__name__", "")
        high, low = _layer(callee), _layer(caller)
        if high is not None and low is not None and high < low:
            found[f"{caller} -> {callee}.{frame.f_code.co_name}"] += 1

    def run(*args: Any, **kwargs: Any) -> Any:
        sys.setprofile(watch)
        try:
            return target(*args, **kwargs)
        finally:
            sys.setprofile(None)

    return run


def reply(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "inbox" / "new" / name).write_bytes(
        "From: Aino <aino@example.fi>\r\nTo: verkosto@example.org\r\nSubject: Re: Kutsu 12.3.\r\n"
        f"Message-ID: <{name}@example.fi>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n".encode()
    )


def test_a_reply_and_the_coordinators_resolve_go_one_way_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(LAYERS) > 8 and _layer("automation.deciders") is not None
    found: Counter[str] = Counter()
    monkeypatch.setattr(service, "handle", watched(service.handle, found))
    monkeypatch.setattr(cli_desk, "resolve", watched(cli_desk.resolve, found))
    config = network(tmp_path, CONFIG, "aino@example.fi,Aino,Espoo,fi\nbo@example.fi,Bo,Borgå,sv\n")
    cli(config, "2030-02-01T10:00", "run", "--once", exits=(0,))
    reply(tmp_path, "yes", "Kiitos kutsusta, tulen mielelläni 12.3. tapaamiseen.")
    answered = cli(config, "2030-02-01T10:05", "run", "--once", exits=(0,))
    assert "registered for 2030-03" in answered.output and not found, found
    reply(tmp_path, "unclear", "Tulen jos ehdin, katsotaan.")
    kept = cli(config, "2030-02-01T10:10", "run", "--once", exits=(0,))
    assert "ATTENTION" in kept.output and not found, found
    resolved = cli(config, "2030-02-01T10:15", "attention", "resolve", "1", "--as", "no", exits=(0,))
    assert "#1 resolved as no" in resolved.output and not found, found
