"""Domain library for Arbetsmarknadsläget: shared by etl/ and app_pages/, imports neither."""
