"""The domain core: data, periods, selection and computations; knows no page."""
