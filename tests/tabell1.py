"""Tabell 1 of Södertälje's 2014 PM, transcribed by hand for the tests (kv 3 2013, percent)."""

GROUPS = [
    ("total", "total", "total"),
    ("18-24", "total", "total"),
    ("total", "born_in_sweden", "total"),
    ("total", "foreign_born", "total"),
    ("total", "total", "pre_upper_secondary"),
    ("total", "total", "upper_secondary"),
    ("total", "total", "post_secondary"),
]
ROWS = {
    "0181": [14.5, 18.7, 6.9, 27.0, 29.3, 10.4, 11.6],  # Södertälje
    "0127": [12.9, 17.7, 7.0, 19.5, 23.5, 11.1, 9.0],  # Botkyrka
    "0136": [7.7, 13.6, 5.2, 14.9, 13.8, 6.4, 6.8],  # Haninge
    "0126": [7.3, 11.4, 4.3, 14.3, 15.6, 6.4, 5.5],  # Huddinge
    "01": [7.1, 11.3, 4.3, 15.7, 17.2, 6.6, 5.2],  # Länet
    "00": [8.5, 17.3, 6.1, 20.7, 19.2, 8.1, 5.5],  # Riket
}
FIGURES = [
    (region, *group, value)
    for region, values in ROWS.items()
    for group, value in zip(GROUPS, values, strict=True)
]
