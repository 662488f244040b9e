"""ETL for Arbetsmarknadsläget: raw upstream bytes -> validated canonical Parquet."""
