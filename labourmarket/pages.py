"""The app's pages in menu order: one list that the app, the benchmarks and the tests read."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str  # the module's name in app_pages/ and labourmarket/views/
    title: str
    icon: str
    default: bool = False

    @property
    def file(self) -> str:
        """The page script, relative to the repository (what st.Page and AppTest take)."""
        return f"app_pages/{self.name}.py"

    @property
    def url_path(self) -> str:
        """The page's path in a link: empty for the landing page."""
        return "" if self.default else self.name


PAGES = (
    Page("oversikt", "Översikt", ":material/dashboard:", default=True),
    Page("gapanalys", "Gapanalys", ":material/compare_arrows:"),
    Page("utveckling", "Utveckling", ":material/show_chart:"),
    Page("jamfor", "Jämför", ":material/leaderboard:"),
    Page("mal", "Mål", ":material/flag:"),
    Page("namndvy", "Nämndvy", ":material/co_present:"),
    Page("export", "Export", ":material/download:"),
    Page("kallor", "Källor och data", ":material/menu_book:"),
)
