"""Submissions from an LMS zip, and grades back to the same LMS.

Moodle's "Download all submissions" puts each participant in a folder
``<Full Name>_<participant id>_assignsubmission_file_/``; Canvas names each file
``<sortablename>[_LATE]_<user id>_<file id>_<original name>``. The participant id is what tells
two students with the same name apart, so it stays in the student id (``Wei_Zhang_1001``,
``smithjohn_124``), and it is what the grade CSV written after grading is keyed on:

- Moodle, "Upload grading worksheet": columns ``Identifier`` (``Participant <id>``), ``Full name``,
  ``Grade``, ``Last modified (grade)``.
- Canvas, Gradebook "Import": columns ``Student``, ``ID`` (the Canvas user id), ``SIS User ID``,
  ``SIS Login ID``, ``Section`` and one column per assignment, after a ``Points Possible`` row.

Unpacking never trusts the archive: each notebook is capped (50 MB), the total unpacked size is
capped (a small zip cannot fill the disk), names are shortened to what a file system accepts, and
every file skipped is reported under its student.
"""

import csv
import datetime
import json
import re
import shutil
import zipfile
from pathlib import Path

from .result import Flag

MAX_NOTEBOOK_BYTES = 50 << 20
MAX_TOTAL_BYTES = 2 << 30
MIN_TOTAL_BYTES = 64 << 20
MAX_EXPANSION = 50  # notebooks compress a few times; a zip that grows more than 50x is refused beyond the floor
MAX_NAME = 80  # characters kept of a learner's name in the student id (file systems allow 255 bytes)

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?:\d+_)?(?P<file>.+)$", re.IGNORECASE)


def _clean(name):
    cleaned = re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip("._")
    return cleaned[:MAX_NAME] or "unknown"


def identify(name):
    """``(student id, participant dict, original file name)`` for one file path in an LMS zip."""
    parts = [p for p in name.split("/") if p not in ("", ".", "..")]
    if len(parts) >= 2:
        moodle = _MOODLE.match(parts[0])
        if moodle:
            person = {"lms": "moodle", "id": moodle["id"], "name": moodle["name"]}
            return f"{_clean(moodle['name'])}_{moodle['id']}", person, parts[-1]
        return _clean(parts[0]), None, parts[-1]
    moodle = _MOODLE.match(parts[0])  # Moodle without "download submissions in folders"
    if moodle:
        person = {"lms": "moodle", "id": moodle["id"], "name": moodle["name"]}
        return f"{_clean(moodle['name'])}_{moodle['id']}", person, moodle["file"]
    canvas = _CANVAS.match(parts[0])
    if canvas:
        person = {"lms": "canvas", "id": canvas["id"], "name": canvas["name"], "late": bool(canvas["late"])}
        return f"{_clean(canvas['name'])}_{canvas['id']}", person, canvas["file"]
    return _clean(Path(parts[0]).stem), None, parts[0]


def allowed_total(zip_path):
    """The most bytes an archive of this size may unpack to."""
    return max(MIN_TOTAL_BYTES, min(MAX_TOTAL_BYTES, MAX_EXPANSION * Path(zip_path).stat().st_size))


def unpack_zip(zip_path, submitted_dir, assignment, notebook_name, max_total=None):
    """Unpack an LMS export into ``submitted/<student>/<assignment>/<notebook>.ipynb``.

    Returns ``{student: [Flag]}``: every file skipped and every oddity, under its student. The
    participants (LMS and id of each student) are saved in ``submitted/.lms-participants.json`` for
    :func:`write_grades`.
    """
    max_total = allowed_total(zip_path) if max_total is None else max_total
    submitted_dir = Path(submitted_dir)
    notes, files, people = {}, {}, {}
    unpacked = 0
    scratch = submitted_dir / ".unpacking"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for number, info in enumerate(archive.infolist()):
                name = info.filename.replace("\\", "/")
                if info.is_dir() or "__MACOSX" in name or "/." in "/" + name:
                    continue
                student, person, original = identify(name)
                if person:
                    people[student] = person
                    if person.get("late"):
                        _note(notes, student, "late", "zip", "the LMS marked this submission late")
                if not original.endswith(".ipynb"):
                    continue
                if info.file_size > MAX_NOTEBOOK_BYTES:
                    _note(notes, student, "skipped-file", "zip",
                          f"{original}: {info.file_size / 2**20:.0f} MB, larger than the "
                          f"{MAX_NOTEBOOK_BYTES >> 20} MB allowed for a notebook; not graded")
                    continue
                if unpacked + info.file_size > max_total:
                    _note(notes, student, "skipped-file", "zip",
                          f"{original}: the zip unpacks to more than {max_total >> 20} MB in all "
                          "(a zip bomb?); this file and the rest were not unpacked")
                    continue
                target = scratch / f"{number}.ipynb"
                try:
                    with archive.open(info) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)
                except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as error:
                    _note(notes, student, "skipped-file", "zip", f"{original}: cannot be unpacked ({error})")
                    continue
                unpacked += info.file_size
                files.setdefault(student, []).append((original, target))
        for student, choices in sorted(files.items()):
            _place(student, choices, submitted_dir, assignment, notebook_name, notes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if people:
        register = submitted_dir / ".lms-participants.json"
        known = json.loads(register.read_text()) if register.exists() else {}
        known.update(people)
        register.write_text(json.dumps(known, indent=1, sort_keys=True))
    return notes


def _note(notes, student, kind, where, detail):
    notes.setdefault(student, []).append(Flag(kind, where, detail))


def _place(student, choices, submitted_dir, assignment, notebook_name, notes):
    chosen = next((c for c in choices if Path(c[0]).stem == notebook_name), None)
    if chosen is None:
        chosen = ([c for c in choices if notebook_name.lower() in c[0].lower()] or choices)[0]
        _note(notes, student, "renamed", "notebook",
              f"notebook named {chosen[0][:200]} instead of {notebook_name}.ipynb; graded anyway")
    if len(choices) > 1:
        names = ", ".join(Path(c[0]).name[:100] for c in choices)
        _note(notes, student, "extra-files", "zip", f"several notebooks submitted ({names}); graded {chosen[0][:100]}")
    destination = Path(submitted_dir) / student / assignment / f"{notebook_name}.ipynb"
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(chosen[1], destination)


def participants(submitted_dir):
    register = Path(submitted_dir) / ".lms-participants.json"
    return json.loads(register.read_text()) if register.exists() else {}


def write_grades(path, assignment, totals, maximum, people, lms, column=None):
    """Write the CSV the LMS imports: ``totals`` is ``{student: points}`` (students from that LMS only).

    ``column`` is the Canvas gradebook column to fill (``"Toy (12345)"`` as Canvas exports it;
    default: the assignment's name, which Canvas matches by title or offers to create).
    """
    path = Path(path)
    rows = [(student, people[student], totals[student]) for student in sorted(totals)
            if people.get(student, {}).get("lms") == lms]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if lms == "moodle":
            modified = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            writer.writerow(["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"])
            for student, person, points in rows:
                writer.writerow([f"Participant {person['id']}", person["name"], f"{points:g}", f"{maximum:g}",
                                 modified])
        elif lms == "canvas":
            column = column or assignment
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
            writer.writerow(["Points Possible", "", "", "", "", f"{maximum:g}"])
            for student, person, points in rows:
                writer.writerow([person["name"], person["id"], "", "", "", f"{points:g}"])
        else:
            raise ValueError(f"lms: {lms!r} is not one of 'canvas', 'moodle'")
    return path
