"""Format readers that turn one landing file into string columns, row problems into rejects.

Why not a plain bulk CSV/JSON reader: the contract is that every row read is accounted for,
with its line number and the reason it was refused. A bulk reader either stops at the first
bad line or skips it silently, and DuckDB cannot decode cp1252 offline. So the file is decoded
in Python (lines holding undecodable bytes are found and refused), cut into numbered lines
with numpy, and DuckDB splits and parses those lines set-wise: every line it cannot use comes
back as a reject with its number. That keeps the per-line contract at bulk speed.

CSV lines are split by DuckDB only when the file has no quote character and no exotic line
break: then splitting on the delimiter is exactly what Python's csv module does. A file with
quotes goes through the csv module, which knows quoting. JSON lines are parsed by DuckDB's
JSON reader (numbers keep their text as written); Parquet is read by pyarrow.

Values are kept exactly as read (strings); typing happens in staging, where the raw value
stays beside the typed one.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cdp_pipeline.config import Source

CHUNK_ROWS = 100_000
# Python's csv module refuses a field longer than this; the DuckDB split must refuse it too.
CSV_FIELD_LIMIT = csv.field_size_limit()
# Characters Python's line splitting or csv module treat specially: files holding one of them
# go through the csv module, the reference behaviour.
_CSV_SPECIAL = ('"', "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


class SourceError(Exception):
    """A structural problem that stops a source: names the file and the column, never a value."""


@dataclass
class Reject:
    line: int
    reason: str
    raw_text: str


@dataclass
class Chunk:
    """A batch of parsed rows: the file's columns as strings plus `_line`, the 1-based line (or row)."""

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.table.column_names if c != "_line"]

    @classmethod
    def from_rows(cls, columns: list[str], rows: list[list[str | None]], lines: list[int],
                  rejects: list[Reject]) -> "Chunk":
        cols = {c: pa.array([r[i] for r in rows], type=pa.string()) for i, c in enumerate(columns)}
        cols["_line"] = pa.array(lines, type=pa.int64())
        return cls(pa.table(cols), rejects)


def read_file(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    """Return the file's columns (checked against the config) and an iterator of chunks."""
    if not path.is_file():
        raise SourceError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: file is empty")
    reader = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[source.format]
    return reader(path, source)


def check_columns(path: Path, source: Source, columns: list[str]) -> None:
    """Every column named in the source's mapping must exist in the file."""
    have = set(columns)
    for canonical, column in source.columns.items():
        if column not in have:
            required = "required " if canonical in source.required_fields else ""
            raise SourceError(
                f"{path}: {required}column '{column}' (canonical field {canonical}) is missing; "
                f"the file has: {', '.join(columns[:30])}"
            )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror})") from None


def _chunked(table: pa.Table, rejects: list[Reject]) -> Iterator[Chunk]:
    yield Chunk(table.slice(0, min(CHUNK_ROWS, table.num_rows)), rejects)
    for offset in range(CHUNK_ROWS, table.num_rows, CHUNK_ROWS):
        yield Chunk(table.slice(offset, CHUNK_ROWS))


# ---------------------------------------------------------------- numbered lines
def _decode_text(data: bytes, encoding: str) -> tuple[str, set[int]]:
    """Decode a whole file whose line breaks are single `\n` bytes (see `_unix_lines`).

    Returns the text and the numbers of the lines that hold bytes not valid in `encoding`;
    those bytes are replaced (U+FFFD), so the line can still be shown to a steward.
    """
    try:
        return data.decode(encoding), set()
    except UnicodeDecodeError:
        pass
    text = data.decode(encoding, errors="replace")
    byte_lines = data.split(b"\n")
    bad, line, seen, pos = set(), 1, 0, text.find("\ufffd")
    while pos >= 0:
        line += text.count("\n", seen, pos)
        seen = pos
        try:  # a U+FFFD can also be a real character of a UTF-8 file
            byte_lines[line - 1].decode(encoding)
        except UnicodeDecodeError:
            bad.add(line)
        pos = text.find("\ufffd", pos + 1)
    return text, bad


def _unix_lines(data: bytes) -> bytes:
    """`\r\n` and a lone `\r` end a line, as Python's line splitting has it; make them `\n`."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _numbered_lines(text: str) -> pa.Table:
    """The text's lines as an Arrow table (`t` with its trailing newline, `_line` from 1), cut
    with numpy over the UTF-8 bytes rather than a Python loop over lines."""
    buf = text.encode("utf-8")
    ends = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 10) + 1
    tail = [] if buf.endswith(b"\n") else [len(buf)]
    offsets = np.concatenate(([0], ends, tail)).astype(np.int64)
    count = len(offsets) - 1
    lines = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets.tobytes()), pa.py_buffer(buf))
    return pa.table({"t": lines, "_line": pa.array(np.arange(1, count + 1, dtype=np.int64))})


def _lines_db(table: pa.Table) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB holding the file's lines as `_lines` (newline stripped)."""
    con = duckdb.connect()
    con.register("_lines_arrow", table)
    con.execute("CREATE TEMP VIEW _lines AS SELECT rtrim(t, chr(10)) AS t, _line FROM _lines_arrow")
    return con


# ---------------------------------------------------------------- CSV
def _read_csv(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    encoding = "utf-8-sig" if source.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else source.encoding
    data = _read_bytes(path)
    if _newlines_are_bytes(encoding):
        text, bad_lines = _decode_text(_unix_lines(data), encoding)
        if not any(c in text for c in _CSV_SPECIAL):
            lines = _numbered_lines(text)
            if pc.max(pc.utf8_length(lines["t"])).as_py() <= CSV_FIELD_LIMIT:
                return _read_csv_split(path, source, lines, bad_lines)
    return _read_csv_module(path, source, data, encoding)


def _newlines_are_bytes(encoding: str) -> bool:
    """Whether `\n` and `\r` are single bytes that never occur inside another character."""
    try:
        return b"\n\r".decode(encoding) == "\n\r"
    except UnicodeDecodeError:
        return False


def _csv_header(path: Path, source: Source, header: list[str]) -> list[str]:
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SourceError(f"{path}: duplicate column name(s) {', '.join(dupes)}")
    check_columns(path, source, header)
    return header


def _read_csv_split(path: Path, source: Source, lines: pa.Table, bad_lines: set[int]) -> tuple[list[str], Iterator[Chunk]]:
    """A file without quotes: each line is its fields joined by the delimiter, so DuckDB splits it."""
    if 1 in bad_lines:
        raise SourceError(f"{path}: header line is not valid {source.encoding}")
    first = lines["t"][0].as_py().rstrip("\n") if lines.num_rows else ""
    header = _csv_header(path, source, [h.strip() for h in first.split(source.delimiter)] if first else [])
    con = _lines_db(lines)
    con.execute("CREATE TEMP TABLE _split AS SELECT _line, t, string_split(t, $d) AS s "
                "FROM _lines WHERE _line > 1 AND t <> ''", {"d": source.delimiter})
    params = {"n": len(header), "bad": sorted(bad_lines)}
    rejects = [
        Reject(line, f"bytes not valid {source.encoding}" if bad else
               f"wrong field count: expected {len(header)}, got {fields}", raw_text)
        for line, bad, fields, raw_text in con.execute(
            "SELECT _line, list_contains($bad, _line), len(s), t FROM _split "
            "WHERE len(s) <> $n OR list_contains($bad, _line) ORDER BY _line", params).fetchall()
    ]
    values = ", ".join([f"NULLIF(s[{i + 1}], '') AS c{i}" for i in range(len(header))] + ["_line"])
    table = con.execute(f"SELECT {values} FROM _split WHERE len(s) = $n AND NOT list_contains($bad, _line)",
                        params).to_arrow_table().rename_columns(header + ["_line"])
    con.close()
    return header, _chunked(table, rejects)


def _decode_lines(data: bytes, encoding: str) -> tuple[list[str], set[int]]:
    """Decode physical lines; lines that don't decode are kept (with replacement chars) and reported."""
    try:
        text = data.decode(encoding)
        return text.splitlines(keepends=True), set()
    except UnicodeDecodeError:
        pass
    lines, bad = [], set()
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode(encoding))
        except UnicodeDecodeError:
            lines.append(raw.decode(encoding, errors="replace"))
            bad.add(number)
    return lines, bad


def _read_csv_module(path: Path, source: Source, data: bytes, encoding: str) -> tuple[list[str], Iterator[Chunk]]:
    """Python's csv module, for files with quoting: the reference behaviour the split path matches."""
    lines, bad_lines = _decode_lines(data, encoding)
    if 1 in bad_lines:
        raise SourceError(f"{path}: header line is not valid {source.encoding}")
    reader = csv.reader(lines, delimiter=source.delimiter, strict=False)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SourceError(f"{path}: file is empty (no header)") from None
    except csv.Error:
        raise SourceError(f"{path}: header line is not valid CSV") from None
    _csv_header(path, source, header)

    def chunks() -> Iterator[Chunk]:
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        rejects: list[Reject] = []
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append(Reject(start, f"malformed CSV ({exc})", "".join(lines[start - 1 : reader.line_num])))
                start = reader.line_num + 1
                continue
            end = reader.line_num
            if not record or record == [""]:
                start = end + 1
                continue  # blank line: not a row
            raw_text = "".join(lines[start - 1 : end]).rstrip("\r\n")
            if bad_lines and any(n in bad_lines for n in range(start, end + 1)):
                rejects.append(Reject(start, f"bytes not valid {source.encoding}", raw_text))
            elif len(record) != len(header):
                rejects.append(Reject(start, f"wrong field count: expected {len(header)}, got {len(record)}", raw_text))
            else:
                rows.append([v if v != "" else None for v in record])
                numbers.append(start)
            start = end + 1
            if len(rows) >= CHUNK_ROWS:
                yield Chunk.from_rows(header, rows, numbers, rejects)
                rows, numbers, rejects = [], [], []
        yield Chunk.from_rows(header, rows, numbers, rejects)

    return header, chunks()


# ---------------------------------------------------------------- JSON lines
def _json_path(keys: tuple[str, ...]) -> str:
    return "$" + "".join('."' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys)


def _json_columns(structures: list[str]) -> tuple[dict[str, tuple[str, ...]], set[tuple[str, ...]]]:
    """Flatten DuckDB's per-line structures (in order of first appearance) into columns:
    `{"address": {"zip": ..}}` gives `address.zip`. Also returns the keys that are an object
    on some line, whose own column must read NULL on those lines."""
    columns: dict[str, tuple[str, ...]] = {}
    objects: set[tuple[str, ...]] = set()

    def walk(node: dict, keys: tuple[str, ...]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                objects.add(keys + (key,))
                walk(value, keys + (key,))
            else:
                columns.setdefault(".".join(keys + (key,)), keys + (key,))

    for structure in structures:
        walk(json.loads(structure), ())
    return columns, objects


def _json_reason(text: str) -> str:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"malformed JSON ({exc.msg} at column {exc.colno})"
    return "malformed JSON" if isinstance(obj, dict) else "JSON line is not an object"


def _read_jsonl(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    """JSON lines: DuckDB validates and parses every line; nested objects become dotted columns,
    lists and booleans their JSON text, numbers the text as written."""
    text, bad_lines = _decode_text(_unix_lines(_read_bytes(path)), "utf-8-sig")
    con = _lines_db(_numbered_lines(text))
    con.execute(
        "CREATE TEMP TABLE _json AS SELECT _line, t, "
        "NOT list_contains($bad, _line) AND CASE WHEN json_valid(t) THEN json_type(t) = 'OBJECT' ELSE false END AS ok "
        "FROM _lines WHERE NOT regexp_full_match(t, '\\s*')", {"bad": sorted(bad_lines)})
    rejects = [
        Reject(line, "bytes not valid utf-8" if line in bad_lines else _json_reason(raw_text), raw_text)
        for line, raw_text in con.execute("SELECT _line, t FROM _json WHERE NOT ok ORDER BY _line").fetchall()
    ]
    structures = [s for s, in con.execute(
        "SELECT s FROM (SELECT json_structure(t) AS s, min(_line) AS first FROM _json WHERE ok GROUP BY s) "
        "ORDER BY first").fetchall()]
    if not structures and not rejects:
        raise SourceError(f"{path}: file has no JSON lines")
    columns, objects = _json_columns(structures)
    header = list(columns)
    if header:
        _check_jsonl_columns(path, source, header)
    values = [
        f"CASE WHEN json_type(t, '{_json_path(keys)}') = 'OBJECT' THEN NULL ELSE v[{i + 1}] END AS c{i}"
        if keys in objects else f"v[{i + 1}] AS c{i}"
        for i, keys in enumerate(columns.values())
    ]
    paths = "[" + ", ".join(f"'{_json_path(keys)}'" for keys in columns.values()) + "]"
    extract = f"json_extract_string(t, {paths}::VARCHAR[])" if header else "NULL"
    table = con.execute(
        f"SELECT {', '.join(values + ['_line'])} FROM (SELECT _line, t, {extract} AS v FROM _json WHERE ok)"
    ).to_arrow_table().rename_columns(header + ["_line"])
    con.close()
    return header, _chunked(table, rejects)


def _check_jsonl_columns(path: Path, source: Source, header: list[str]) -> None:
    """In JSON lines a key may be absent from some rows (that's a row problem), but a required
    field absent from every row of the file is structural: the mapping or the export is wrong."""
    have = set(header)
    for canonical in source.required_fields:
        column = source.columns[canonical]
        if column not in have:
            raise SourceError(
                f"{path}: required column '{column}' (canonical field {canonical}) is in no line of the file"
            )


# ---------------------------------------------------------------- Parquet
def _read_parquet(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"{path}: not a readable Parquet file ({exc.__class__.__name__})") from None
    table = pf.read().flatten()
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    header = list(table.column_names)
    check_columns(path, source, header)

    def as_strings(col: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
        if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            return pa.array([None if v is None else v.isoformat() for v in col.to_pylist()], type=pa.string())
        try:
            return col.cast(pa.string())
        except pa.ArrowException:
            return pa.array([None if v is None else json.dumps(v, default=str, ensure_ascii=False)
                             for v in col.to_pylist()], type=pa.string())

    strings = [as_strings(table.column(i)) for i in range(table.num_columns)]
    strings.append(pa.array(range(1, table.num_rows + 1), type=pa.int64()))
    return header, _chunked(pa.Table.from_arrays(strings, names=header + ["_line"]), [])


def csv_text(row: list[str | None], delimiter: str) -> str:
    """Re-serialise a parsed row (for quarantine of rows whose values, not syntax, are bad)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(["" if v is None else v for v in row])
    return buf.getvalue()
