#!/usr/bin/env python3
"""Checks that a civicrawl release reads the same in every format and every reader.

usage: scripts/check_readers.py RELEASE_DIR

For each table (tools, source_records, sources, organisations, tool_organisations, use_cases)
it checks that:
  * DuckDB, pyarrow (and pandas through it) and polars read the Parquet file with the column
    names of datapackage.json, the expected types (string, int64, boolean, timestamp[us, UTC],
    list<string> with child `element`) and the row count of the CSV, JSON and JSONL files;
  * the CSV header, the JSONL keys and the JSON array hold the same columns and rows;
  * the CSV parses with the declared types (DuckDB read_csv with explicit columns);
  * the Parquet rows equal the JSONL rows value for value;
  * the Parquet metadata names the schema version; compression is zstd; row groups <= 100k rows.
It then runs `sha256sum -c SHA256SUMS` (every other file must be listed) and
`frictionless validate datapackage.json`. Exits 1 on any mismatch, 2 on usage errors; a missing
Python module is an error (install: duckdb pyarrow polars pandas frictionless).
"""

import csv
import datetime as dt
import json
import os
import subprocess
import sys

import duckdb
import pandas
import polars
import pyarrow
import pyarrow.parquet as pq
from frictionless import validate

TABLES = [
    "tools",
    "source_records",
    "sources",
    "organisations",
    "tool_organisations",
    "use_cases",
]
MAX_ROW_GROUP_ROWS = 100_000

# Table Schema type -> (duckdb type, pyarrow type, polars type)
EXPECTED = {
    "string": ("VARCHAR", pyarrow.string(), polars.String),
    "object": ("VARCHAR", pyarrow.string(), polars.String),
    "integer": ("BIGINT", pyarrow.int64(), polars.Int64),
    "boolean": ("BOOLEAN", pyarrow.bool_(), polars.Boolean),
    "datetime": (
        "TIMESTAMP WITH TIME ZONE",
        pyarrow.timestamp("us", tz="UTC"),
        polars.Datetime("us", "UTC"),
    ),
    "list": (
        "VARCHAR[]",
        pyarrow.list_(pyarrow.field("element", pyarrow.string())),
        polars.List(polars.String),
    ),
}
CSV_TYPES = {
    "string": "VARCHAR",
    "object": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "datetime": "TIMESTAMPTZ",
    "list": "VARCHAR",
}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def check(cond, message):
    if not cond:
        fail(message)
    return cond


def jsonable(value):
    """A pyarrow Python value in its JSON form (timestamps as RFC 3339 `Z`)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def check_table(release, table, schema, version):
    fields = [f["name"] for f in schema["fields"]]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    path = lambda ext: os.path.join(release, f"{table}.{ext}")

    with open(path("csv"), newline="", encoding="utf-8") as f:
        raw = f.read()
    check(not raw.startswith("\ufeff"), f"{table}.csv starts with a BOM")
    check(raw.endswith("\r\n"), f"{table}.csv does not end with CRLF")
    reader = csv.reader(open(path("csv"), newline="", encoding="utf-8"))
    header = next(reader)
    csv_rows = sum(1 for _ in reader)
    check(header == fields, f"{table}.csv header {header} != datapackage fields {fields}")

    with open(path("jsonl"), encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    with open(path("json"), encoding="utf-8") as f:
        array = json.load(f)
    check(array == lines, f"{table}.json and {table}.jsonl hold different objects")
    for i, obj in enumerate(lines):
        if list(obj.keys()) != fields:
            fail(f"{table}.jsonl line {i + 1} keys {list(obj.keys())} != {fields}")
            break
    n = len(lines)
    check(csv_rows == n, f"{table}: csv has {csv_rows} rows, jsonl {n}")

    # Parquet through three readers.
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path('parquet')}')").fetchall()
    check([d[0] for d in described] == fields, f"{table}.parquet duckdb names {[d[0] for d in described]}")
    for name, typ, *_ in described:
        want = EXPECTED[types[name]][0]
        check(typ == want, f"{table}.parquet duckdb {name}: {typ}, expected {want}")
    count = con.execute(f"SELECT count(*) FROM read_parquet('{path('parquet')}')").fetchone()[0]
    check(count == n, f"{table}.parquet duckdb rows {count} != {n}")

    arrow = pq.read_table(path("parquet"))
    check(arrow.column_names == fields, f"{table}.parquet pyarrow names {arrow.column_names}")
    for fld in arrow.schema:
        want = EXPECTED[types[fld.name]][1]
        check(fld.type == want, f"{table}.parquet pyarrow {fld.name}: {fld.type}, expected {want}")
        if types[fld.name] == "list":
            check(fld.type.value_field.name == "element", f"{table}.{fld.name} list child is {fld.type.value_field.name}")
    check(arrow.num_rows == n, f"{table}.parquet pyarrow rows {arrow.num_rows} != {n}")
    frame = arrow.to_pandas()
    check(list(frame.columns) == fields and len(frame) == n, f"{table}.parquet pandas shape {frame.shape}")
    pandas.read_parquet(path("parquet"))  # the one-liner users run

    pl = polars.read_parquet(path("parquet"))
    check(pl.columns == fields, f"{table}.parquet polars names {pl.columns}")
    for name, typ in pl.schema.items():
        want = EXPECTED[types[name]][2]
        check(typ == want, f"{table}.parquet polars {name}: {typ}, expected {want}")
    check(pl.height == n, f"{table}.parquet polars rows {pl.height} != {n}")

    # JSONL through DuckDB and polars: same names and rows, types compatible.
    if n:
        jd = con.execute(f"DESCRIBE SELECT * FROM read_json('{path('jsonl')}', format='newline_delimited')").fetchall()
        check([d[0] for d in jd] == fields, f"{table}.jsonl duckdb names {[d[0] for d in jd]}")
        jn = con.execute(f"SELECT count(*) FROM read_json('{path('jsonl')}', format='newline_delimited')").fetchone()[0]
        check(jn == n, f"{table}.jsonl duckdb rows {jn} != {n}")
        pj = polars.read_ndjson(path("jsonl"))
        check(pj.columns == fields and pj.height == n, f"{table}.jsonl polars shape {pj.shape}")
        for name, typ in pj.schema.items():
            want = EXPECTED[types[name]][2]
            # A column null (or lists empty) in every row reads as Null / List(Null).
            empty = (polars.Null, polars.List(polars.Null))
            ok = typ == want or typ in empty or types[name] in ("datetime", "object")
            check(ok, f"{table}.jsonl polars {name}: {typ}, expected {want} or null")

    # CSV through DuckDB with the declared types: every cell parses.
    columns = ", ".join(f"'{f}': '{CSV_TYPES[types[f]]}'" for f in fields)
    cn = con.execute(
        f"SELECT count(*) FROM read_csv('{path('csv')}', header=true, auto_detect=false, "
        f"delim=',', quote='\"', escape='\"', new_line='\\r\\n', columns={{{columns}}})"
    ).fetchone()[0]
    check(cn == n, f"{table}.csv duckdb typed rows {cn} != {n}")

    # Values: Parquet rows equal the JSONL rows.
    for i, row in enumerate(arrow.to_pylist()):
        row = {k: jsonable(v) for k, v in row.items()}
        want = dict(lines[i])
        for k, t in types.items():
            if t == "object" and want[k] is not None:
                want[k] = json.dumps(want[k], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if row != want:
            diff = {k: (row[k], want[k]) for k in fields if row[k] != want[k]}
            fail(f"{table}.parquet row {i} differs from jsonl: {diff}")
            break

    meta = pq.ParquetFile(path("parquet")).metadata
    kv = {k.decode(): v.decode() for k, v in (meta.metadata or {}).items()}
    check(kv.get("civicrawl.schema_version") == version, f"{table}.parquet schema version {kv.get('civicrawl.schema_version')} != {version}")
    check("civicrawl.release_id" in kv and "civicrawl.generator" in kv, f"{table}.parquet metadata {sorted(kv)}")
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        check(group.num_rows <= MAX_ROW_GROUP_ROWS, f"{table}.parquet row group {g} has {group.num_rows} rows")
        for c in range(group.num_columns):
            comp = group.column(c).compression
            if comp != "ZSTD":
                fail(f"{table}.parquet column {group.column(c).path_in_schema} is {comp}")
                break
    print(f"ok   {table}: {n} rows, {len(fields)} columns agree in csv/json/jsonl/parquet (duckdb, pyarrow, pandas, polars)")


def check_sums(release):
    listed = set()
    with open(os.path.join(release, "SHA256SUMS"), encoding="utf-8") as f:
        for line in f:
            listed.add(line.rstrip("\n").split("  ", 1)[1])
    files = {n for n in os.listdir(release) if os.path.isfile(os.path.join(release, n))}
    check(listed == files - {"SHA256SUMS"}, f"SHA256SUMS lists {sorted(listed)}, the directory holds {sorted(files)}")
    done = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    if check(done.returncode == 0, f"sha256sum -c SHA256SUMS: {done.stdout}{done.stderr}"):
        print(f"ok   sha256sum -c SHA256SUMS: {len(listed)} files")


def check_package(release):
    report = validate(os.path.join(release, "datapackage.json"))
    if report.valid:
        print(f"ok   frictionless validate datapackage.json: valid ({len(report.tasks)} tasks)")
    else:
        fail("frictionless validate datapackage.json:\n" + report.to_summary())


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    release = os.path.realpath(sys.argv[1])
    with open(os.path.join(release, "datapackage.json"), encoding="utf-8") as f:
        package = json.load(f)
    schemas = {r["name"]: r["schema"] for r in package["resources"] if "schema" in r}
    for table in TABLES:
        if not check(table in schemas, f"datapackage.json has no table schema for {table}"):
            continue
        check_table(release, table, schemas[table], package["version"])
    check_sums(release)
    check_package(release)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
