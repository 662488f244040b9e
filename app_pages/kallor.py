"""Källor och data: every measure's definition, source, licence and coverage, and the raw files."""

import pandas as pd
import streamlit as st

from labourmarket import ui
from labourmarket.core import paths
from labourmarket.core.catalog import CatalogError
from labourmarket.views.kallor import (
    COMPARABILITY_WARNING,
    list_raw_files,
    summarise_definitions,
    summarise_measures,
)

DETAILS = [
    "Population",
    "Nämnare",
    "Utgivare",
    "Licens",
    "Perioder",
    "Regioner",
    "Värden",
    "Saknade värden",
    "Hämtad",
    "Seriebrott",
]
WITHOUT_DATA = (
    "Definitionerna nedan kommer ur referensdatan och gäller ändå. Perioder, antal värden och "
    "källfiler visas när datan är byggd och läsbar."
)


def show_measure(entry: dict[str, str]) -> None:
    with st.container(border=True):
        st.subheader(entry["Mått"])
        st.markdown(entry["Definition"])
        st.markdown(entry["Källa"])
        details = {key: entry[key] for key in DETAILS if key in entry}
        st.table(pd.Series(details, name="Uppgift"))
        st.caption(
            f"Mått-id `{entry['measure_id']}` · jämförbarhetsgrupp `{entry['Jämförbarhetsgrupp']}`"
        )


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
st.warning(COMPARABILITY_WARNING, icon=":material/warning:")
if data is None or data.observations.empty:
    st.info(WITHOUT_DATA, icon=":material/info:")
    for entry in summarise_definitions(catalog):
        show_measure(entry)
    st.stop()

for entry in summarise_measures(data.observations, data.catalog):
    show_measure(entry)

st.subheader("Källfiler i senaste bygget")
st.caption(f"Byggt {data.manifest['built_at']} av `python -m etl build` från data/raw.")
st.table(list_raw_files(data.manifest))
