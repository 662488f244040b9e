"""What Källor och data says about each bundled measure: shared by the view and page tests."""

AF_NAME = "Inskrivna arbetslösa, andel av registerbaserad arbetskraft (%)"
MEASURE_FACTS = [
    (
        0,
        AF_NAME,
        {
            "Population": "16-64 år",
            "Utgivare": "Arbetsförmedlingen",
            "Perioder": "kv 3 2013 – kv 3 2013",
            "Regioner": "6",
            "Värden": "42",
        },
    ),
    (
        1,
        "Arbetslöshet enligt BAS, 20-64 år (%)",
        {
            "Utgivare": "SCB",
            "Licens": "CC0",
            "Perioder": "januari 2020 – december 2024",
            "Värden": "360",
            "Seriebrott": "Inga kända",
        },
    ),
    (
        2,
        "Arbetslöshet 20-64 år, SCB:s integrationsstatistik (%)",
        {"Perioder": "2016 – 2023", "Regioner": "26", "Värden": "208"},
    ),
]
