"""Every command's help as argparse prints it: a `%` in a help text is a format for argparse (`%(default)s`), so a
percentage written into one ("quá 5% số dòng") printed the argument's whole dict in `cchc ingest --help`."""

from __future__ import annotations

import argparse

from dashboard.cli import build_parser


def _parsers(p: argparse.ArgumentParser):
    yield p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_help_prints_its_text_and_no_argparse_internals():
    parsers = list(_parsers(build_parser()))
    assert len(parsers) > 20
    for p in parsers:
        text = p.format_help()  # raises on a malformed % format
        assert "option_strings" not in text and "'dest':" not in text, (p.prog, text)
    ingest = next(p for p in parsers if p.prog.endswith(" ingest")).format_help()
    assert "bị loại quá 5% số dòng" in " ".join(ingest.split())
