"""The documentation a clone holds is whole: every relative link lands on a file of the repository,
and the design lives in docs/, not in a document outside it."""

import re
from pathlib import Path

import pytest

from labourmarket.core import paths

REPO = paths.REPO_DIR.resolve()
DOCS = sorted(
    [
        REPO / "README.md",
        *(REPO / "docs").glob("*.md"),
        *(p for folder in ("data", "tests") for p in (REPO / folder).rglob("README.md")),
    ]
)
INLINE_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:
OUTSIDE_DESIGN = re.compile(r"\.\./shared|\bDESIGN\.md\b|\bSTYLE\.md\b")


def list_links(path: Path) -> list[str]:
    """The relative link targets of a markdown file, code blocks left out."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [t for t in targets if not EXTERNAL.match(t) and not t.startswith("#")]


def slugify(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def list_anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {slugify(h) for h in re.findall(r"^#{1,6}\s+(.+)$", text, re.MULTILINE)}


LINKS = [(doc, target) for doc in DOCS for target in list_links(doc)]


def test_the_docs_have_links_to_check():
    assert (REPO / "README.md", "docs/design.md") in LINKS


@pytest.mark.parametrize(
    ("doc", "target"), LINKS, ids=[f"{d.relative_to(REPO)}->{t}" for d, t in LINKS]
)
def test_a_relative_link_lands_on_a_file_of_the_repository(doc, target):
    file_part, _, anchor = target.partition("#")
    landed = (doc.parent / file_part).resolve()
    assert landed.is_relative_to(REPO), f"{target} points outside the repository"
    assert landed.exists(), f"{target} does not exist"
    if anchor and landed.suffix == ".md":
        assert anchor in list_anchors(landed), f"{target}: no heading makes #{anchor}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: str(d.relative_to(REPO)))
def test_no_doc_refers_to_a_design_document_outside_the_repository(doc):
    assert OUTSIDE_DESIGN.findall(doc.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("The canonical data model", "the-canonical-data-model"),
        ("Exports (Mål och budget)", "exports-mål-och-budget"),
        ("Layout", "layout"),
    ],
)
def test_anchors_are_made_as_github_makes_them(heading, slug):
    assert slugify(heading) == slug
