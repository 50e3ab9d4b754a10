"""Refusals worded for every channel, at their source.

A domain error (a subscription, the digest, the mail server, the alert rules, closing a period) carries the message a
page may show — no command line, no file path: the page's readers type no commands and see no server files — and,
apart, `cli_hint`: what the command line adds (the command to run, the flag, the file concerned). Pages show
`str(exc)`; the CLI prints `exc.for_cli()`, both."""

from __future__ import annotations


class HintedError(Exception):
    def __init__(self, message: str, cli_hint: str = "") -> None:
        super().__init__(message)
        self.cli_hint = cli_hint

    def for_cli(self) -> str:
        """The message and, after it, the command line's hint."""
        return f"{self} ({self.cli_hint})" if self.cli_hint else str(self)


def for_cli(exc: BaseException) -> str:
    """Any error as the command line prints it (a domain error with its hint)."""
    return exc.for_cli() if isinstance(exc, HintedError) else str(exc)
