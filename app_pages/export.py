"""Export: the Mål och budget pack for a kommun and period, as one zip to download."""

import streamlit as st

from labourmarket import ui
from labourmarket.output.formatting import format_period
from labourmarket.views import export

st.title("Export")
st.caption(
    "Underlag till Mål och budget: tabeller i Excel och CSV, diagram som PNG och SVG med källrad, "
    "och ett Word-utkast till avsnittet om arbetsmarknaden, i en zip-fil."
)
data = ui.require_data()
catalog = data.catalog
targets = ui.load_targets_or_explain(catalog)

offer = ui.build_view_once(export.offer, data, ui.read_focus_region(catalog))
if not offer.regions:
    st.info(offer.notice)
    st.stop()
left, right = st.columns([3, 1])
with left:
    region = ui.choose_one(
        "Kommun", "region", offer.regions, offer.default_region, catalog.region_name
    )
with right:
    periods = ui.build_view_once(
        export.offer_periods, data, region, ui.summarise_coverage_once(data)
    )
    period = ui.choose_one("Period", "period", periods.periods, periods.default, format_period)

pack = ui.assemble_pack_once(data, targets, region, period)
content = export.build(data, export.ExportChoices(pack))
st.markdown(content.summary)
if content.notice:
    st.warning(content.notice, icon=":material/image_not_supported:")
download = content.download
st.download_button(
    download.label,
    data=download.write,
    file_name=download.file_name,
    mime=download.mime,
    key=download.key,
    type="primary",
    icon=":material/download:",
    on_click="ignore",
    disabled=download.disabled,
)
st.caption(content.footnote)
