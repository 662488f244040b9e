"""What `python -m labourmarket` and `python -m etl` share: subcommands, and errors as exit 1."""

import argparse
import sys
from collections.abc import Callable, Sequence


def create_parser(
    prog: str, description: str, metavar: str | None = None
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """A parser whose help keeps the description's line breaks (its examples), and its commands."""
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=metavar)
    return parser, commands


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], None],
    help_text: str,
    description: str = "",
) -> argparse.ArgumentParser:
    """A subcommand that `run_command` runs; its help page shows `description` or `help_text`."""
    parser = commands.add_parser(
        name,
        help=help_text,
        description=description or help_text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def run_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    errors: tuple[type[Exception], ...],
    after_error: str = "",
) -> int:
    """Run the chosen command: 0 when done; 1 and `error: ...` on stderr for an expected error.

    Anything else is a bug and keeps its traceback.
    """
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except errors as error:
        print(f"error: {error}" + (f"\n{after_error}" if after_error else ""), file=sys.stderr)
        return 1
    return 0
