"""One module per upstream source: fetch() keeps exact bytes + provenance, parse() is pure."""
