"""Källor och data: every measure's definition, source, licence and coverage, and the raw files."""

import pandas as pd
import streamlit as st

from labourmarket import ui
from labourmarket.source_view import COMPARABILITY_WARNING, list_raw_files, summarise_measures

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

st.title("Källor och data")
st.caption("Varifrån siffrorna kommer, vad de mäter och hur gamla de är.")
data = ui.require_data()
st.warning(COMPARABILITY_WARNING, icon=":material/warning:")

for entry in summarise_measures(data.observations, data.catalog):
    with st.container(border=True):
        st.subheader(entry["Mått"])
        st.markdown(entry["Definition"])
        st.markdown(entry["Källa"])
        st.table(pd.Series({key: entry[key] for key in DETAILS}, name="Uppgift"))
        st.caption(
            f"Mått-id `{entry['measure_id']}` · jämförbarhetsgrupp `{entry['Jämförbarhetsgrupp']}`"
        )

st.subheader("Källfiler i senaste bygget")
st.caption(f"Byggt {data.manifest['built_at']} av `python -m etl build` från data/raw.")
st.table(list_raw_files(data.manifest))
