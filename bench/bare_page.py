"""The floor for page benchmarks: a Streamlit page that only reads the same Parquet the same way."""

import streamlit as st

from labourmarket.core import paths, store
from labourmarket.ui import load_observations_cached

observations = load_observations_cached(str(paths.clean_dir()), store.read_data_version() or "")
st.title("Bare page")
st.metric("Observationer", len(observations))
