"""Read and write pabulib `.pb` files losslessly, and turn them into elections and back (no Django).

A `.pb` file has three sections, META, PROJECTS and VOTES, each a title line, a header line and
semicolon-separated rows, with double quotes around cells that hold a semicolon, a quote or a line
break (format: Stolicki, Szufa, Talmon, arXiv:2012.06539; pabulib.org/format).

`parse_pb` keeps every cell as the text it was, every column in its order, and in `PbLayout` the few
facts about how the file was typed (line endings, a missing final line break, a byte order mark, blank
lines, cells quoted although they need not be); `format_pb(parse_pb(text)) == text` for every file in
the shared pabulib collection. `pb_from_election` writes a clean file for export that passes
pabulib's own checker.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from commonweal.budgeting.core.election import (
    Ballot,
    Election,
    ElectionError,
    Project,
    VoteType,
)

SECTION_TITLES = ("META", "PROJECTS", "VOTES")
_NEEDS_QUOTES = (";", '"', "\n", "\r")

# The order of META keys in pabulib's own files and checker (pabulib_helpers/fields.py); keys not
# listed here are written after these, in the order given.
META_KEY_ORDER = (
    "description",
    "country",
    "unit",
    "district",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
    "min_project_cost",
    "max_project_cost",
    "min_project_score_threshold",
    "neighborhoods",
    "subdistricts",
    "categories",
    "edition",
    "language",
    "currency",
    "fully_funded",
    "experimental",
    "comment",
    "acknowledgments",
)


class PbFormatError(ValueError):
    """Raised when text is not a readable `.pb` file; the message names the line."""


@dataclass(frozen=True)
class PbSection:
    """One section of a `.pb` file: its title as written, its header and its rows of cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, name: str) -> int | None:
        """Return the position of the column with this name (spaces ignored), or None."""
        for position, heading in enumerate(self.header):
            if heading.strip() == name:
                return position
        return None

    def records(self) -> list[dict[str, str]]:
        """Return the rows as dictionaries from column name to cell."""
        names = [heading.strip() for heading in self.header]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class PbLayout:
    """How a file was typed, beyond its cells; the defaults describe a clean file."""

    line_ending: str = "\n"
    # Records whose line ending differs from `line_ending`: (record number, ending).
    other_line_endings: tuple[tuple[int, str], ...] = ()
    final_line_ending: bool = True
    byte_order_mark: bool = False
    # Blank lines kept where they were: (record number, the line's text).
    blank_lines: tuple[tuple[int, str], ...] = ()
    # Cells quoted although they hold no semicolon, quote or line break: (record number, column).
    quoted_cells: tuple[tuple[int, int], ...] = ()
    # Cells holding a quote that were written without surrounding quotes: (record number, column).
    bare_cells: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class PbFile:
    """A `.pb` file: its three sections and its layout."""

    meta: PbSection
    projects: PbSection
    votes: PbSection
    layout: PbLayout = PbLayout()

    def meta_values(self) -> dict[str, str]:
        """Return the META section as a dictionary from key to value (both stripped)."""
        return {row[0].strip(): row[1].strip() for row in self.meta.rows if row}


def read_pb(path: Path) -> PbFile:
    """Read a `.pb` file from disk (UTF-8)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PbFormatError(f"{path.name} is not UTF-8 text (byte {error.start}).") from error
    return parse_pb(text)


def write_pb(pb: PbFile, path: Path) -> None:
    """Write a `.pb` file to disk (UTF-8)."""
    path.write_bytes(format_pb(pb).encode("utf-8"))


def _split_records(text: str) -> tuple[list[str], list[str]]:
    """Split text into physical lines and their endings ("\\n", "\\r\\n" or "" for the last)."""
    lines: list[str] = []
    endings: list[str] = []
    parts = text.split("\n")
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        if last:
            if part:
                lines.append(part)
                endings.append("")
            break
        if part.endswith("\r"):
            lines.append(part[:-1])
            endings.append("\r\n")
        else:
            lines.append(part)
            endings.append("\n")
    return lines, endings


class _OpenQuote(Exception):
    """The record continues on the next line (a quoted cell holds a line break)."""


def _parse_quoted_record(record: str, line_number: int) -> tuple[list[str], list[bool]]:
    """Split one record that holds quotes into cells, noting which cells were quoted."""
    cells: list[str] = []
    quoted: list[bool] = []
    position = 0
    length = len(record)
    while True:
        if position < length and record[position] == '"':
            position += 1
            pieces: list[str] = []
            while True:
                closing = record.find('"', position)
                if closing == -1:
                    raise _OpenQuote
                pieces.append(record[position:closing])
                if closing + 1 < length and record[closing + 1] == '"':
                    pieces.append('"')
                    position = closing + 2
                    continue
                position = closing + 1
                break
            if position < length and record[position] != ";":
                raise PbFormatError(f"line {line_number}: text follows a closing quote in a cell.")
            cells.append("".join(pieces))
            quoted.append(True)
        else:
            end = record.find(";", position)
            if end == -1:
                end = length
            cells.append(record[position:end])
            quoted.append(False)
            position = end
        if position >= length:
            return cells, quoted
        position += 1


def _needs_quotes(cell: str) -> bool:
    return any(character in cell for character in _NEEDS_QUOTES)


def parse_pb(text: str) -> PbFile:
    """Parse the text of a `.pb` file, keeping every cell, column and layout detail."""
    byte_order_mark = text.startswith("\ufeff")
    if byte_order_mark:
        text = text[1:]
    lines, endings = _split_records(text)
    if not lines:
        raise PbFormatError("The file is empty.")
    records: list[list[str]] = []
    record_endings: list[str] = []
    record_lines: list[int] = []
    quoted_cells: list[tuple[int, int]] = []
    bare_cells: list[tuple[int, int]] = []
    blank_lines: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        first_line = index
        record = lines[index]
        if '"' not in record:
            cells = record.split(";")
            flags = None
        else:
            while True:
                try:
                    cells, quoted = _parse_quoted_record(record, first_line + 1)
                    break
                except _OpenQuote:
                    if index + 1 >= len(lines):
                        raise PbFormatError(
                            f"line {first_line + 1}: a quoted cell is never closed."
                        ) from None
                    record = record + endings[index] + lines[index + 1]
                    index += 1
            flags = quoted
        number = len(records) + len(blank_lines)
        if len(cells) == 1 and not cells[0].strip() and not (flags and flags[0]):
            blank_lines.append((number, cells[0]))
        else:
            if flags is not None:
                for column, (cell, was_quoted) in enumerate(zip(cells, flags, strict=True)):
                    if was_quoted and not _needs_quotes(cell):
                        quoted_cells.append((number, column))
                    elif not was_quoted and _needs_quotes(cell):
                        bare_cells.append((number, column))
            records.append(cells)
            record_lines.append(first_line + 1)
        record_endings.append(endings[index])
        index += 1
    meta, projects, votes = _sections(records, record_lines)
    line_ending = max(("\n", "\r\n"), key=record_endings.count)
    layout = PbLayout(
        line_ending=line_ending,
        other_line_endings=tuple(
            (number, ending)
            for number, ending in enumerate(record_endings)
            if ending not in ("", line_ending)
        ),
        final_line_ending=record_endings[-1] != "",
        byte_order_mark=byte_order_mark,
        blank_lines=tuple(blank_lines),
        quoted_cells=tuple(quoted_cells),
        bare_cells=tuple(bare_cells),
    )
    return PbFile(meta=meta, projects=projects, votes=votes, layout=layout)


def _sections(records: list[list[str]], record_lines: list[int]) -> tuple[PbSection, PbSection, PbSection]:
    """Group records into the META, PROJECTS and VOTES sections, checking row widths."""
    found: dict[str, PbSection] = {}
    position = 0
    while position < len(records):
        cells = records[position]
        written_title = cells[0]
        title = written_title.strip().upper() if len(cells) == 1 else ""
        if title not in SECTION_TITLES:
            raise PbFormatError(
                f"line {record_lines[position]}: expected a section title (META, PROJECTS or VOTES), "
                f"found {';'.join(cells)[:60]!r}."
            )
        if title in found:
            raise PbFormatError(f"line {record_lines[position]}: a second {title} section.")
        if position + 1 >= len(records):
            raise PbFormatError(f"line {record_lines[position]}: the {title} section has no header line.")
        header = tuple(records[position + 1])
        rows: list[tuple[str, ...]] = []
        position += 2
        while position < len(records):
            cells = records[position]
            if len(cells) == 1 and cells[0].strip().upper() in SECTION_TITLES:
                break
            if len(cells) != len(header):
                raise PbFormatError(
                    f"line {record_lines[position]}: {len(cells)} cells, but the {title} header has "
                    f"{len(header)} columns."
                )
            rows.append(tuple(cells))
            position += 1
        found[title] = PbSection(title=written_title, header=header, rows=tuple(rows))
    for title in SECTION_TITLES:
        if title not in found:
            raise PbFormatError(f"The file has no {title} section.")
    return found["META"], found["PROJECTS"], found["VOTES"]


def _format_cell(cell: str, force_quotes: bool, bare: bool) -> str:
    if bare or not (force_quotes or _needs_quotes(cell)):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def format_pb(pb: PbFile) -> str:
    """Return the text of a `.pb` file; for a parsed file, exactly the text that was parsed."""
    layout = pb.layout
    quoted = set(layout.quoted_cells)
    bare = set(layout.bare_cells)
    other_endings = dict(layout.other_line_endings)
    blanks = dict(layout.blank_lines)
    rows: list[tuple[str, ...]] = []
    for section in (pb.meta, pb.projects, pb.votes):
        rows.append((section.title,))
        rows.append(section.header)
        rows.extend(section.rows)
    special_records = {number for number, _ in quoted} | {number for number, _ in bare}
    pieces: list[str] = ["\ufeff"] if layout.byte_order_mark else []
    total = len(rows) + len(blanks)
    row_iterator = iter(rows)
    ending = layout.line_ending
    for number in range(total):
        if number in blanks:
            line = blanks[number]
        else:
            cells = next(row_iterator)
            line = ";".join(cells)
            plain = line.count(";") == len(cells) - 1 and not any(mark in line for mark in _NEEDS_QUOTES[1:])
            if not plain or number in special_records:
                line = ";".join(
                    _format_cell(cell, (number, column) in quoted, (number, column) in bare)
                    for column, cell in enumerate(cells)
                )
        pieces.append(line)
        if number < total - 1 or layout.final_line_ending:
            pieces.append(other_endings.get(number, ending))
    return "".join(pieces)


def _number(text: str, what: str) -> Fraction:
    """Parse a decimal number, accepting a comma as the decimal separator as pabutools does."""
    cleaned = text.strip().replace(",", ".")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise PbFormatError(f"{what} is {text!r}, which is not a number.") from None


def format_number(value: Fraction) -> str:
    """Write a number as pabulib does: an integer without decimals, otherwise a decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        raise ValueError(f"{value} has no finite decimal form.")
    digits = 0
    scaled = value
    while scaled.denominator != 1:
        scaled *= 10
        digits += 1
    sign = "-" if scaled < 0 else ""
    magnitude = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{magnitude[:-digits]}.{magnitude[-digits:]}"


def election_from_pb(pb: PbFile) -> Election:
    """Return the election a `.pb` file describes, or raise PbFormatError saying what is wrong."""
    meta = pb.meta_values()
    if "budget" not in meta:
        raise PbFormatError("META has no budget.")
    budget = _number(meta["budget"], "The budget in META")
    vote_type_text = meta.get("vote_type", VoteType.APPROVAL.value)
    try:
        vote_type = VoteType(vote_type_text)
    except ValueError:
        known = ", ".join(kind.value for kind in VoteType)
        raise PbFormatError(f"META vote_type {vote_type_text!r} is not one of {known}.") from None
    for section, required in ((pb.projects, ("project_id", "cost")), (pb.votes, ("voter_id", "vote"))):
        for column in required:
            if section.column(column) is None:
                raise PbFormatError(f"The {section.title.strip()} header has no {column} column.")
    id_column = pb.projects.column("project_id")
    cost_column = pb.projects.column("cost")
    name_column = pb.projects.column("name")
    assert id_column is not None and cost_column is not None
    projects: list[Project] = []
    for row in pb.projects.rows:
        project_id = row[id_column].strip()
        cost = _number(row[cost_column], f"The cost of project {project_id}")
        name = row[name_column].strip() if name_column is not None else ""
        projects.append(Project(project_id=project_id, cost=cost, name=name))
    known_projects = {project.project_id for project in projects}
    if len(known_projects) != len(projects):
        raise PbFormatError("Two PROJECTS rows have the same project_id.")
    voter_column = pb.votes.column("voter_id")
    vote_column = pb.votes.column("vote")
    points_column = pb.votes.column("points")
    assert voter_column is not None and vote_column is not None
    with_points = vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
    if with_points and points_column is None:
        raise PbFormatError(f"A {vote_type} file needs a points column in VOTES.")
    ballots: list[Ballot] = []
    for row in pb.votes.rows:
        voter_id = row[voter_column].strip()
        chosen = tuple(item.strip() for item in row[vote_column].split(",") if item.strip())
        for project_id in chosen:
            if project_id not in known_projects:
                raise PbFormatError(
                    f"Voter {voter_id} voted for project {project_id}, which is not in PROJECTS."
                )
        points: tuple[int | Fraction, ...] | None = None
        if with_points:
            assert points_column is not None
            texts = [item.strip() for item in row[points_column].split(",") if item.strip()]
            if len(texts) != len(chosen):
                raise PbFormatError(f"Voter {voter_id} lists {len(chosen)} projects but {len(texts)} points.")
            # Whole points stay int: counting with int is many times faster than with Fraction.
            points = tuple(
                int(item) if item.isdigit() else _number(item, f"A point given by voter {voter_id}")
                for item in texts
            )
        ballots.append(Ballot(voter_id=voter_id, projects=chosen, points=points))
    threshold_text = meta.get("min_project_score_threshold")
    threshold = _number(threshold_text, "META min_project_score_threshold") if threshold_text else None
    max_length_text = meta.get("max_length")
    max_length = None
    if max_length_text:
        max_length_value = _number(max_length_text, "META max_length")
        if max_length_value.denominator != 1 or max_length_value < 1:
            raise PbFormatError(f"META max_length is {max_length_text!r}, not a positive whole number.")
        max_length = int(max_length_value)
    try:
        return Election(
            budget=budget,
            projects=tuple(projects),
            ballots=tuple(ballots),
            vote_type=vote_type,
            min_project_score_threshold=threshold,
            max_length=max_length,
            description=meta.get("description", ""),
        )
    except ElectionError as error:
        raise PbFormatError(str(error)) from error


def pb_from_election(
    election: Election,
    meta: Mapping[str, str],
    *,
    selected: Collection[str] = (),
    project_columns: Mapping[str, Mapping[str, str]] | None = None,
    extra_project_columns: Sequence[str] = (),
) -> PbFile:
    """Return a clean `.pb` file for an election: counts, budget and vote type from the election.

    `meta` gives the descriptive META keys (description, country, unit, instance, rule, dates …);
    `selected` marks the funded projects; `project_columns[project_id][column]` fills the columns named
    in `extra_project_columns` (for example category or latitude).
    """
    derived = {
        "num_projects": str(len(election.projects)),
        "num_votes": str(len(election.ballots)),
        "budget": format_number(election.budget),
        "vote_type": election.vote_type.value,
    }
    if election.min_project_score_threshold is not None:
        derived["min_project_score_threshold"] = format_number(election.min_project_score_threshold)
    if election.max_length is not None:
        derived["max_length"] = str(election.max_length)
    values = {**{key: value for key, value in meta.items() if key not in derived}, **derived}
    ordered = [key for key in META_KEY_ORDER if key in values]
    ordered += [key for key in values if key not in META_KEY_ORDER]
    meta_section = PbSection("META", ("key", "value"), tuple((key, values[key]) for key in ordered))

    with_points = election.vote_type in (VoteType.CUMULATIVE, VoteType.SCORING, VoteType.ORDINAL)
    counts = election.vote_counts()
    scores = election.scores()
    header = ["project_id", "cost", "votes"]
    if with_points:
        header.append("score")
    header.append("name")
    header.extend(column for column in extra_project_columns if column in _PROJECT_COLUMNS_BEFORE_SELECTED)
    header.append("selected")
    header.extend(
        column for column in extra_project_columns if column not in _PROJECT_COLUMNS_BEFORE_SELECTED
    )
    chosen = set(selected)
    project_rows = []
    for project in election.projects:
        cells = {
            "project_id": project.project_id,
            "cost": format_number(project.cost),
            "votes": str(counts[project.project_id]),
            "score": format_number(scores[project.project_id]),
            # pabulib's checker needs a non-empty name; a project without one is named by its id.
            "name": project.name or project.project_id,
            "selected": "1" if project.project_id in chosen else "0",
        }
        extra = (project_columns or {}).get(project.project_id, {})
        project_rows.append(tuple(cells.get(column, extra.get(column, "")) for column in header))
    projects_section = PbSection("PROJECTS", tuple(header), tuple(project_rows))

    vote_header: tuple[str, ...] = (
        ("voter_id", "vote", "points")
        if election.vote_type
        in (
            VoteType.CUMULATIVE,
            VoteType.SCORING,
        )
        else ("voter_id", "vote")
    )
    vote_rows = []
    for ballot in election.ballots:
        row = [ballot.voter_id, ",".join(ballot.projects)]
        if len(vote_header) == 3:
            row.append(",".join(format_number(Fraction(points)) for points in ballot.points or ()))
        vote_rows.append(tuple(row))
    votes_section = PbSection("VOTES", vote_header, tuple(vote_rows))
    return PbFile(meta=meta_section, projects=projects_section, votes=votes_section)


# Pabulib's column order puts these between name and selected (pabulib_helpers/fields.py).
_PROJECT_COLUMNS_BEFORE_SELECTED = ("category", "beneficiaries")


def selected_projects(pb: PbFile) -> tuple[str, ...]:
    """Return the project ids whose `selected` cell is 1, in file order (empty if there is no column)."""
    id_column = pb.projects.column("project_id")
    selected_column = pb.projects.column("selected")
    if id_column is None or selected_column is None:
        return ()
    return tuple(row[id_column].strip() for row in pb.projects.rows if row[selected_column].strip() == "1")


def iter_pb_paths(folder: Path) -> Iterable[Path]:
    """Yield the `.pb` files of a folder in name order."""
    return sorted(folder.glob("*.pb"))
