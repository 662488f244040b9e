"""Domain library for Arbetsmarknadsläget: shared by etl/ and pages/, imports neither."""
