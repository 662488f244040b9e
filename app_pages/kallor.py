"""Källor och data: every measure's definition, source, licence and coverage, and the raw files."""

import streamlit as st

from labourmarket import ui
from labourmarket.core import paths
from labourmarket.core.catalog import CatalogError
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
content = kallor.build(data, KallorChoices(catalog))
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
if content.files is not None:
    st.subheader("Källfiler i senaste bygget")
    st.caption(content.files_caption)
    st.table(content.files)
