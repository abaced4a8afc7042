"""Format readers that turn one landing file into string columns, row problems into rejects.

Why hand-rolled instead of a bulk CSV reader: the contract is that every row read is
accounted for, with its line number and the reason it was refused. A bulk reader either
stops at the first bad line or skips it silently, and DuckDB cannot decode cp1252 offline.
So CSV lines are decoded one by one only when the whole file does not decode (fast path
otherwise), JSON lines are parsed one by one, and Parquet is read by pyarrow.

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

import pyarrow as pa
import pyarrow.parquet as pq

from cdp_pipeline.config import Source

CHUNK_ROWS = 100_000


class SourceError(Exception):
    """A structural problem that stops a source: names the file and the column, never a value."""


@dataclass
class Reject:
    line: int
    reason: str
    raw_text: str


@dataclass
class Chunk:
    """A batch of parsed rows: `lines[i]` is the 1-based line (or row) of `rows[i]`."""

    columns: list[str]
    rows: list[list[str | None]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def to_arrow(self) -> pa.Table:
        cols = {c: pa.array([r[i] for r in self.rows], type=pa.string()) for i, c in enumerate(self.columns)}
        cols["_line"] = pa.array(self.lines, type=pa.int64())
        return pa.table(cols)


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


# ---------------------------------------------------------------- CSV
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


def _read_csv(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    encoding = "utf-8-sig" if source.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else source.encoding
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror})") from None
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
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SourceError(f"{path}: duplicate column name(s) {', '.join(dupes)}")
    check_columns(path, source, header)

    def chunks() -> Iterator[Chunk]:
        chunk = Chunk(header)
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                chunk.rejects.append(Reject(start, f"malformed CSV ({exc})", "".join(lines[start - 1 : reader.line_num])))
                start = reader.line_num + 1
                continue
            end = reader.line_num
            if not record or record == [""]:
                start = end + 1
                continue  # blank line: not a row
            raw_text = "".join(lines[start - 1 : end]).rstrip("\r\n")
            if bad_lines and any(n in bad_lines for n in range(start, end + 1)):
                chunk.rejects.append(Reject(start, f"bytes not valid {source.encoding}", raw_text))
            elif len(record) != len(header):
                chunk.rejects.append(
                    Reject(start, f"wrong field count: expected {len(header)}, got {len(record)}", raw_text)
                )
            else:
                chunk.rows.append([v if v != "" else None for v in record])
                chunk.lines.append(start)
            start = end + 1
            if len(chunk.rows) >= CHUNK_ROWS:
                yield chunk
                chunk = Chunk(header)
        yield chunk

    return header, chunks()


# ---------------------------------------------------------------- JSON lines
def _flatten(obj: dict, prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif value is None:
            out[name] = None
        elif isinstance(value, (list, bool)):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = str(value)
    return out


def _read_jsonl(path: Path, source: Source) -> tuple[list[str], Iterator[Chunk]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: unreadable ({exc.strerror})") from None
    parsed: list[tuple[int, dict | None, str, str]] = []  # line, record, raw, reason
    columns: dict[str, None] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            parsed.append((number, None, raw.decode("utf-8", errors="replace"), "bytes not valid utf-8"))
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            parsed.append((number, None, text, f"malformed JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            parsed.append((number, None, text, "JSON line is not an object"))
            continue
        flat = _flatten(obj)
        for key in flat:
            columns.setdefault(key, None)
        parsed.append((number, flat, text, ""))
    if not parsed:
        raise SourceError(f"{path}: file has no JSON lines")
    header = list(columns)
    if header:
        _check_jsonl_columns(path, source, header)

    def chunks() -> Iterator[Chunk]:
        chunk = Chunk(header)
        for number, flat, text, reason in parsed:
            if flat is None:
                chunk.rejects.append(Reject(number, reason, text))
                continue
            chunk.rows.append([flat.get(c) for c in header])
            chunk.lines.append(number)
            if len(chunk.rows) >= CHUNK_ROWS:
                yield chunk
                chunk = Chunk(header)
        yield chunk

    return header, chunks()


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

    def as_strings(col: pa.ChunkedArray) -> list[str | None]:
        if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            return [None if v is None else v.isoformat() for v in col.to_pylist()]
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            return col.to_pylist()
        try:
            return col.cast(pa.string()).to_pylist()
        except pa.ArrowException:
            return [None if v is None else json.dumps(v, default=str, ensure_ascii=False) for v in col.to_pylist()]

    def chunks() -> Iterator[Chunk]:
        offset = 0
        for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
            b = pa.Table.from_batches([batch])
            cols = [as_strings(b.column(i)) for i in range(b.num_columns)]
            chunk = Chunk(header)
            chunk.rows = [list(r) for r in zip(*cols)] if cols else []
            chunk.lines = list(range(offset + 1, offset + b.num_rows + 1))
            offset += b.num_rows
            yield chunk
        if offset == 0:
            yield Chunk(header)

    return header, chunks()


def csv_text(row: list[str | None], delimiter: str) -> str:
    """Re-serialise a parsed row (for quarantine of rows whose values, not syntax, are bad)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(["" if v is None else v for v in row])
    return buf.getvalue()
