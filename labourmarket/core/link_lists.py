"""A list in a link (?regions=0181,0127): each code once, at most a page's limit; what was left."""

from labourmarket.output.formatting import format_number

# The most regions Översikt and Utveckling open with from a link or another page: a card or a
# line each; a hand-made link of 2 000 codes once took minutes to draw.
DRAWN_AT_MOST = 20


def split_link_list(text: str | None) -> tuple[list[str], int]:
    """The link's codes, each once in the order given, and how many repeats were dropped."""
    given = [code for code in (text or "").split(",") if code]
    distinct = list(dict.fromkeys(given))
    return distinct, len(given) - len(distinct)


def cap_choices(codes: list[str], limit: int | None) -> tuple[list[str], int]:
    """The first `limit` codes (all without a limit), and how many were left out."""
    if limit is None or len(codes) <= limit:
        return codes, 0
    return codes[:limit], len(codes) - limit


def describe_dropped(
    label: str, repeated: int, over_limit: int, limit: int | None, source: str = "Länken"
) -> str | None:
    """Say what of a list was not used: repeats, and choices beyond the page's limit."""
    notes = []
    if repeated:
        notes.append(
            f"{source} angav samma val flera gånger för ”{label}”: "
            f"{format_number(repeated, 0)} upprepningar togs bort."
        )
    if over_limit and limit is not None:
        notes.append(
            f"{source} angav {format_number(limit + over_limit, 0)} val för ”{label}”, men "
            f"sidan visar högst {limit} åt gången: de {format_number(over_limit, 0)} sista "
            "visas inte."
        )
    return " ".join(notes) or None
