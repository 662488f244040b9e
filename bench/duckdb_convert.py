"""The yardstick for the ETL: DuckDB turning the same SCB json-stat2 answers into the same Parquet.

It decodes each cube (last dimension fastest), maps SCB codes to canonical ones, stamps
provenance from the sidecars, sorts by key and writes zstd Parquet: the ETL's work minus its
checks. Used by bench/run.py; needs the `duckdb` package (requirements-dev.txt).
"""

from pathlib import Path

import duckdb

from etl.sources import scb

GROUP_CODES = {
    "Kon": ("sex", {"1": "men", "2": "women", "1+2": "total"}),
    **scb.GROUP_DIMENSIONS,
}


def render_map(mapping: dict[str, str]) -> str:
    pairs = ", ".join(f"'{code}': '{canonical}'" for code, canonical in mapping.items())
    return f"MAP {{{pairs}}}"


def render_query(raw_dir: Path, total_age: str, out: Path) -> str:
    """One COPY statement over every answer in raw_dir (tables of the same five dimensions)."""
    answers = f"{raw_dir}/TAB*[0-9a-f].json"
    sidecars = f"{raw_dir}/TAB*.provenance.json"

    def code(variable: str) -> str:
        return (
            f"codes[list_position(id, '{variable}')]"
            f"[(i // strides[list_position(id, '{variable}')]) "
            f"% size[list_position(id, '{variable}')] + 1]"
        )

    def group(variable: str, column: str) -> str:
        mapping = render_map(GROUP_CODES[variable][1])
        return (
            f"CASE WHEN list_contains(id, '{variable}') "
            f"THEN {mapping}[{code(variable)}] ELSE 'total' END AS {column}"
        )

    age = (
        f"CASE WHEN list_contains(id, 'Alder') THEN "
        f"CASE WHEN {code('Alder')} = '{total_age}' THEN 'total' ELSE {code('Alder')} END "
        "ELSE 'total' END AS age"
    )
    return f"""
    COPY (
      WITH answers AS (
        SELECT parse_filename(filename) AS file, id, size, value, status,
          list_transform(
            id, lambda d: json_keys(dimension, '$.' || d || '.category.index')
          ) AS codes,
          list_transform(
            generate_series(1, len(size)),
            lambda k: list_product(list_concat(size[k + 1:], [1]))::BIGINT
          ) AS strides
        FROM read_json('{answers}', filename = true, columns = {{
          id: 'VARCHAR[]', size: 'BIGINT[]', dimension: 'JSON', value: 'DOUBLE[]',
          status: 'MAP(VARCHAR, VARCHAR)'}})
      ),
      provenance AS (
        SELECT file, source_id, measure_ids, retrieved_at::TIMESTAMPTZ AS retrieved_at,
          contents_codes->>'$.*' AS contents
        FROM read_json('{sidecars}', columns = {{
          file: 'VARCHAR', source_id: 'VARCHAR', retrieved_at: 'VARCHAR',
          contents_codes: 'JSON', measure_ids: 'VARCHAR[]'}})
      ),
      cells AS (
        SELECT a.*, p.source_id, p.measure_ids, p.retrieved_at, p.contents,
          unnest(range(len(a.value))) AS i
        FROM answers a JOIN provenance p USING (file)
      )
      SELECT
        measure_ids[1] AS measure_id,
        {code("Region")} AS region_code,
        {code("Tid")} AS period,
        'M' AS frequency,
        strptime({code("Tid")}, '%YM%m')::TIMESTAMP AS period_start,
        {group("Kon", "sex")},
        {age},
        {group("Fodelseregion", "birth_region")},
        {group("UtbNiv", "education")},
        value[i + 1] AS value,
        NULL::DOUBLE AS numerator,
        NULL::DOUBLE AS denominator,
        CASE WHEN status[i::VARCHAR] = '..' THEN 'suppressed' END AS status,
        source_id,
        retrieved_at
      FROM cells
      WHERE {code("ContentsCode")} = contents[1]
      ORDER BY measure_id, region_code, period, sex, age, birth_region, education
    ) TO '{out}' (FORMAT parquet, COMPRESSION zstd)
    """


def convert(raw_dir: Path, out: Path, total_age: str = "16-64", threads: int = 2) -> int:
    """Convert the answers under raw_dir to out; return the rows written."""
    connection = duckdb.connect(config={"threads": threads})
    connection.execute(render_query(raw_dir, total_age, out))
    return connection.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
