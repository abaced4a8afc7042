"""Landing-file writers that know the physical line of every row they write.

Why not just `DataFrame.write_csv`: deliberately broken rows (wrong field count, bytes
invalid for the encoding, truncated JSON) must be slipped between good rows and their
exact line recorded in truth/corruptions.csv, so the pipeline's quarantine can be checked
line by line. Every value is single-line (no embedded newline), so one row = one line.
"""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


class Corruptions:
    """Rows broken on purpose: (source, file relative to out_dir, 1-based line/row, kind)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, str]] = []

    def add(self, source: str, file: str, line: int, kind: str) -> None:
        self.rows.append((source, file, line, kind))


class Sink:
    """One output file, written in chunks; `write` may insert junk lines and mark soft rows."""

    def __init__(self, out_dir: Path, rel: str, source: str, fmt: str, corruptions: Corruptions,
                 delimiter: str = ",", encoding: str = "utf-8", schema: pa.Schema | None = None):
        self.path = out_dir / rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rel, self.source, self.fmt = rel, source, fmt
        self.delimiter, self.encoding = delimiter, encoding
        self.corruptions = corruptions
        self.lines = 0  # physical lines (CSV, JSONL) or rows (Parquet) written so far
        self.rows = 0  # good rows written
        self.schema = schema
        self._parquet: pq.ParquetWriter | None = None
        self._file = None if fmt == "parquet" else self.path.open("wb")

    def _text(self, df: pl.DataFrame, header: bool) -> bytes:
        if self.fmt == "csv":
            text = df.write_csv(separator=self.delimiter, include_header=header)
        else:
            text = df.write_ndjson() if df.height else ""
        return text.encode(self.encoding)

    def write(self, df: pl.DataFrame, rng: random.Random | None = None,
              junk: list[tuple[str, object]] = (), soft: dict[int, str] | None = None) -> None:
        """Write df; `junk` entries (kind, raw line bytes | one-row DataFrame) go at random
        positions between rows; `soft` maps row index in df -> kind (row already altered)."""
        positions = sorted(rng.sample(range(1, max(2, df.height)), min(len(junk), max(1, df.height - 1)))) \
            if junk else []
        pieces: list[tuple[str, object]] = []
        start = 0
        for pos, (kind, bad) in zip(positions, junk):
            pieces.append(("rows", df.slice(start, pos - start)))
            pieces.append((kind, bad))
            start = pos
        pieces.append(("rows", df.slice(start)))
        soft = soft or {}
        row_base = 0
        for kind, piece in pieces:
            if kind == "rows":
                first_line = self._write_rows(piece)
                for i in range(row_base, row_base + piece.height):
                    if i in soft:
                        self.corruptions.add(self.source, self.rel, first_line + i - row_base, soft[i])
                row_base += piece.height
            else:
                line = self._write_junk(piece)
                self.corruptions.add(self.source, self.rel, line, kind)

    def _write_rows(self, df: pl.DataFrame) -> int:
        """Write good rows; return the line (or row) number of the first one."""
        if self.fmt == "parquet":
            table = df.to_arrow().cast(self.schema)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, self.schema)
            if table.num_rows:
                self._parquet.write_table(table)
            first = self.lines + 1
            self.lines += df.height
        else:
            header = self.fmt == "csv" and self.lines == 0
            data = self._text(df, header)
            self._file.write(data)
            first = self.lines + 1 + (1 if header else 0)
            self.lines += data.count(b"\n")
            assert self.lines == first - 1 + df.height, f"{self.rel}: a value spans several lines"
        self.rows += df.height
        return first

    def _write_junk(self, bad: object) -> int:
        if self.fmt == "parquet":
            self._write_rows(bad)
            self.rows -= 1
            return self.lines
        self._file.write(bad + b"\n")
        self.lines += 1
        return self.lines

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self.fmt == "parquet":  # nothing written: still an empty file with the schema
            pq.write_table(self.schema.empty_table(), self.path)
        if self._file is not None:
            self._file.close()
            if self.fmt == "jsonl" and self.lines == 0:
                # Export systems write no JSON-lines file for an empty batch; a zero-byte file is a
                # broken extract for the pipeline (a structural error), so don't leave one.
                self.path.unlink()
