"""Zip archives (Word, Excel) with fixed entry dates, set in place (evaluation.report.zipfiles)."""

from __future__ import annotations

import io
import zipfile

import pytest

from evaluation.report.zipfiles import ZIP_DATE, fixed_dates

ENTRIES = {"[Content_Types].xml": b"<Types/>" * 50, "word/media/image1.png": bytes(range(256)) * 40,
           "word/document.xml": "<w:document>åäö</w:document>".encode() * 30}


def _archive(date_time, *, stored=("word/media/image1.png",), comment=b"") -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in ENTRIES.items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
        archive.comment = comment
    return raw.getvalue()


def test_every_entry_gets_the_fixed_date_and_mode_and_keeps_its_contents():
    fixed = fixed_dates(_archive((2026, 12, 1, 21, 14, 38)), mode=0o644)
    with zipfile.ZipFile(io.BytesIO(fixed)) as archive:
        assert archive.testzip() is None  # every entry's CRC-32 checks
        infos = archive.infolist()
        assert [i.filename for i in infos] == list(ENTRIES)
        assert all(i.date_time == ZIP_DATE for i in infos)
        assert all(i.external_attr == 0o644 << 16 for i in infos)
        assert {i.filename: archive.read(i) for i in infos} == ENTRIES
        # the local headers carry the date too (what zipfile reads when it opens an entry)
        for info in infos:
            local = fixed[info.header_offset:info.header_offset + 30]
            assert local[10:14] == b"\x00\x00\x21\x00"  # 00:00:00, 1980-01-01


def test_archives_written_at_different_times_become_the_same_bytes():
    first = _archive((2026, 12, 1, 21, 14, 38))
    second = _archive((2027, 3, 5, 8, 0, 2))
    assert first != second
    assert fixed_dates(first) == fixed_dates(second)
    assert fixed_dates(fixed_dates(first)) == fixed_dates(first)


def test_nothing_is_compressed_again():
    """Only header fields change: the archive keeps its length, and every byte that differs
    lies in an entry's date and time or its external attributes."""
    original = _archive((2026, 12, 1, 21, 14, 38), comment=b"a comment")
    fixed = fixed_dates(original)
    assert len(fixed) == len(original)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        headers = [i.header_offset for i in archive.infolist()]
    central = original.index(b"PK\x01\x02")
    allowed = set()
    for offset in headers:
        allowed |= set(range(offset + 10, offset + 14))
    at = central
    while original[at:at + 4] == b"PK\x01\x02":
        allowed |= set(range(at + 12, at + 16)) | set(range(at + 38, at + 42))
        lengths = original[at + 28:at + 34]
        at += 46 + sum(int.from_bytes(lengths[k:k + 2], "little") for k in (0, 2, 4))
    changed = {k for k, (a, b) in enumerate(zip(original, fixed)) if a != b}
    assert changed and changed <= allowed


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x05\x06" + b"\x00" * 10])
def test_what_is_not_a_zip_archive_is_an_error(data):
    with pytest.raises(ValueError):
        fixed_dates(data)


def test_a_central_directory_that_points_nowhere_is_an_error():
    data = bytearray(_archive((2026, 12, 1, 21, 14, 38)))
    central = data.index(b"PK\x01\x02")
    data[central + 42:central + 46] = (7).to_bytes(4, "little")  # a local header at byte 7
    with pytest.raises(ValueError, match="no local header"):
        fixed_dates(bytes(data))


def _end(data: bytes) -> int:
    return data.rindex(b"PK\x05\x06")


def _with(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value):]


def _shifted(data: bytes, by: int) -> bytes:
    """The end record's central directory moved ``by`` bytes on, its size ``by`` bytes less."""
    end = _end(data)
    size = int.from_bytes(data[end + 12:end + 16], "little") - by
    start = int.from_bytes(data[end + 16:end + 20], "little") + by
    return _with(data, end + 12, size.to_bytes(4, "little") + start.to_bytes(4, "little"))


@pytest.mark.parametrize("corrupt, message", [
    # the end record says the central directory runs past it
    (lambda d: _with(d, _end(d) + 12, (10 ** 6).to_bytes(4, "little")), "does not fit"),
    # a zip64 archive's marker in the entry count
    (lambda d: _with(d, _end(d) + 10, b"\xff\xff"), "zip64"),
    # the end record points one byte past the central directory's start (and ends it where
    # it ends)
    (lambda d: _shifted(d, 1), "no central-directory header"),
    # one entry fewer than the directory holds: its headers do not fill it
    (lambda d: _with(d, _end(d) + 10, (len(ENTRIES) - 1).to_bytes(2, "little")),
     "do not fill it"),
])
def test_an_end_record_that_does_not_match_the_directory_is_an_error(corrupt, message):
    """Every check of the end record and the central directory refuses what it should: the
    dates are never written at an offset the archive does not vouch for."""
    data = corrupt(_archive((2026, 12, 1, 21, 14, 38)))
    with pytest.raises(ValueError, match=message):
        fixed_dates(data)
