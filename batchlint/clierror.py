"""The one style of a usage or configuration error: click's `Error: ...` on
stderr and exit status 2, whatever the command and whatever went wrong."""

from __future__ import annotations

import click


class Failure(click.ClickException):
    """A problem the user can fix (configuration, an option's value, an
    output file that cannot be written): `Error: <message>`, exit 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        from .output.escape import clean  # the message may quote a file name

        super().__init__(clean(message))
