"""Källor och data: every measure's definition, source, licence and coverage, and the raw files."""

import streamlit as st

from labourmarket import ui
from labourmarket.core import paths
from labourmarket.core.catalog import CatalogError
from labourmarket.core.changelog import read_build_record
from labourmarket.views import kallor
from labourmarket.views.kallor import KallorChoices

st.title("Källor och data")
st.caption("Varifrån siffrorna kommer, vad de mäter och hur gamla de är.")
try:
    catalog = ui.load_catalog_cached(str(paths.reference_dir()), ui.read_reference_version())
except CatalogError as error:
    st.error(f"Referensdatan kunde inte läsas. Rätta filen och ladda om sidan.\n\n{error}")
    st.stop()
# The definitions need only the reference data: a missing or damaged build must not hide them.
data = ui.load_data()
if data is not None:
    ui.show_data_status(data)
record = read_build_record() if data is not None else None
choices = KallorChoices(catalog, record)
# The measures' coverage scans every observation: once per build, not on every visit.
content = (
    ui.build_view_once(kallor.build, data, choices)
    if data is not None
    else kallor.build(data, choices)
)
st.warning(content.warning, icon=":material/warning:")
if content.notice is not None:
    st.info(content.notice, icon=":material/info:")
for measure in content.measures:
    with st.container(border=True):
        st.subheader(measure.name)
        st.markdown(measure.definition)
        st.markdown(measure.source)
        st.table(measure.details)
        st.caption(measure.caption)
if content.changes_caption or content.changes_notices:
    st.subheader("Ändringar i senaste bygget")
    if content.changes_caption:
        st.caption(content.changes_caption)
    for notice in content.changes_notices:
        st.info(notice, icon=":material/info:")
    for changed in content.changes:
        with st.container(border=True):
            st.markdown(f"**{changed.name}**")
            st.markdown("\n".join(f"- {line}" for line in changed.lines))
            if changed.revised is not None:
                st.caption("Reviderade värden")
                st.dataframe(changed.revised.style(), hide_index=True)
            if changed.withdrawn is not None:
                st.caption("Tillbakadragna värden")
                st.dataframe(changed.withdrawn.style(), hide_index=True)
if content.history is not None:
    st.subheader("Bygghistorik")
    st.caption("Varje bygge av datan, senaste först, med vad det ändrade per mått.")
    st.dataframe(content.history, hide_index=True)
if content.files is not None:
    st.subheader("Källfiler i senaste bygget")
    st.caption(content.files_caption)
    st.table(content.files)
