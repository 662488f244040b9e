"""Export: the Mål och budget pack for a kommun and period, as one zip to download."""

import streamlit as st

from labourmarket import ui
from labourmarket.core.defaults import pick_pack_period
from labourmarket.core.selection import DEFAULT_MUNICIPALITIES
from labourmarket.output.formats import MIME_TYPES, find_browser
from labourmarket.output.formatting import format_period
from labourmarket.views.export import build_pack, list_pack_periods, list_pack_regions

st.title("Export")
st.caption(
    "Underlag till Mål och budget: tabeller i Excel och CSV, diagram som PNG och SVG med källrad, "
    "och ett Word-utkast till avsnittet om arbetsmarknaden, i en zip-fil."
)
data = ui.require_data()
observations, catalog = data.observations, data.catalog
targets = ui.load_targets_or_explain(catalog)

regions = list_pack_regions(observations, catalog)
if not regions:
    st.info("Datan har inga värden för någon kommun att exportera.")
    st.stop()
left, right = st.columns([3, 1])
with left:
    # The kommun chosen on another page, else Tabell 1's first with figures.
    wanted = [ui.read_focus_region(catalog), *DEFAULT_MUNICIPALITIES]
    default = next((code for code in wanted if code in regions), regions[0])
    region = ui.choose_one("Kommun", "region", regions, default, catalog.region_name)
with right:
    periods = list_pack_periods(observations, region)
    default = pick_pack_period(ui.summarise_coverage_once(data), catalog, region, periods)
    period = ui.choose_one("Period", "period", periods, default, format_period)

pack = ui.assemble_pack_once(data, targets, region, period)
st.markdown(
    "\n".join(
        [
            f"**{pack.region_name}, {format_period(period)}**",
            *(f"- Tabell: {section.table.title}" for section in pack.measures if section.table),
            f"- Mål: {len(pack.targets)} ur strategin, med status och dokumenthänvisning",
            f"- Diagram: {len(pack.charts)} st, som PNG och SVG",
            "- Källor: definitioner, licens, hämtnings- och byggdatum",
            "- Word-utkast med text, tabeller och diagram (med alternativtext)",
        ]
    )
)
has_browser = find_browser() is not None
if not has_browser:
    st.warning(ui.IMAGES_NEED_BROWSER, icon=":material/image_not_supported:")
st.download_button(
    "Skapa och ladda ner paketet",
    data=lambda: build_pack(pack),
    file_name=f"{pack.stem}.zip",
    mime=MIME_TYPES["zip"],
    key="download_pack",
    type="primary",
    icon=":material/download:",
    on_click="ignore",
    disabled=not has_browser,
)
st.caption(
    "Paketet byggs när du klickar (några sekunder: varje diagram ritas i en webbläsare på "
    "servern). Samma paket från kommandoraden: "
    f"`python -m labourmarket export --regions {region} --period {period} --out MAPP`."
)
