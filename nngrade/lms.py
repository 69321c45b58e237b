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

Unpacking never trusts the archive: each file is capped (50 MB), the total unpacked size is
capped (a small zip cannot fill the disk), names are shortened to what a file system accepts, and
every file skipped is reported under its student. Files that are not notebooks (a PDF report) are
kept in ``submitted/<student>/<assignment>/files/``, so a student who sent only those is still a
student: reported ``missing``, never dropped. Names are read as written, accents included, whether
or not the zip marks them as UTF-8.
"""

import csv
import datetime
import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

from .result import Flag

MAX_NOTEBOOK_BYTES = 50 << 20
MAX_TOTAL_BYTES = 2 << 30
MIN_TOTAL_BYTES = 64 << 20
MAX_EXPANSION = 50  # notebooks compress a few times; a zip that grows more than 50x is refused beyond the floor
MAX_NAME = 80  # characters kept of a learner's name in the student id (file systems allow 255 bytes)

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?:(?P<file_id>\d+)_)?(?P<file>.+)$",
                     re.IGNORECASE)


MAX_NAME_BYTES = 200
OTHER_FILES = "files"  # beside the notebook: what else the student sent (never graded, never run)


def _clean(name):
    """A student id from a learner's name: letters of any alphabet, digits, ``_.@-``; short enough."""
    cleaned = re.sub(r"[^\w.@-]+", "_", unicodedata.normalize("NFC", name)).strip("._")[:MAX_NAME]
    while len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        cleaned = cleaned[:-1]
    return cleaned or "unknown"


def _entry_name(info):
    """The entry's name as its author wrote it. Zips without the UTF-8 flag (Info-ZIP, Windows'
    "Send to", re-zipped exports) usually still hold UTF-8 bytes, which ``zipfile`` reads as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except UnicodeError:
            pass
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def name_pattern(text):
    """The ``--zip-names`` choice: ``"auto"`` (Canvas or Moodle, whichever matches), ``"canvas"``,
    ``"moodle"``, or a regular expression for another LMS, matched against each file's path in the
    zip, with the named groups ``name`` (required), ``id``, ``file`` (default: the path's last part)
    and ``late`` (any text: the file is flagged late)."""
    if text in (None, "auto", "canvas", "moodle"):
        return text or "auto"
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise ValueError(f"zip_names: {text!r} is not a regular expression ({error})") from None
    if "name" not in pattern.groupindex:
        raise ValueError(f"zip_names: {text!r} needs a named group (?P<name>...) for the student; it may also "
                         "have (?P<id>...), (?P<file>...) and (?P<late>...); or use auto, canvas or moodle")
    return pattern


def identify(name, pattern="auto"):
    """``(student id, participant dict, original file name)`` for one file path in an LMS zip,
    by the ``pattern`` :func:`name_pattern` gives (an LMS preset or an instructor's expression)."""
    if isinstance(pattern, re.Pattern):
        match = pattern.search(name)
        if match is None:
            return None, None, name
        groups = match.groupdict()
        student = _clean(groups["name"]) + (f"_{_clean(groups['id'])}" if groups.get("id") else "")
        person = {"lms": "other", "late": bool(groups.get("late"))}
        return student, person, groups.get("file") or name.rsplit("/", 1)[-1]
    if pattern == "canvas":
        canvas = _CANVAS.match(name)
        return identify(name) if canvas and "/" not in name else (None, None, name)
    if pattern == "moodle":
        found = identify(name)
        return found if found[1] and found[1]["lms"] == "moodle" else (None, None, name)
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
        person = {"lms": "canvas", "id": canvas["id"], "name": canvas["name"], "late": bool(canvas["late"]),
                  "file_id": canvas["file_id"]}
        return f"{_clean(canvas['name'])}_{canvas['id']}", person, canvas["file"]
    return _clean(Path(parts[0]).stem), None, parts[0]


def allowed_total(zip_path):
    """The most bytes an archive of this size may unpack to."""
    return max(MIN_TOTAL_BYTES, min(MAX_TOTAL_BYTES, MAX_EXPANSION * Path(zip_path).stat().st_size))


def unpack_zip(zip_path, submitted_dir, assignment, notebook_name, max_total=None, names="auto"):
    """Unpack an LMS export into ``submitted/<student>/<assignment>/<notebook>.ipynb``.

    Returns ``{student: [Flag]}``: every file skipped and every oddity, under its student. The
    participants (LMS and id of each student) are saved in ``submitted/.lms-participants.json`` for
    :func:`write_grades`.
    """
    max_total = allowed_total(zip_path) if max_total is None else max_total
    submitted_dir = Path(submitted_dir)
    notes, files, others, people = {}, {}, {}, {}
    unpacked = 0
    scratch = submitted_dir / ".unpacking"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for number, info in enumerate(archive.infolist()):
                name = _entry_name(info)
                if info.is_dir() or "__MACOSX" in name or "/." in "/" + name:
                    continue
                student, person, original = identify(name, names)
                if student is None:  # the instructor's pattern says whose it is; this file is nobody's
                    continue
                owned = person is not None  # the name says whose file it is
                if person and person["lms"] == "other":  # no grade file for an LMS we do not know
                    if person["late"]:
                        _note(notes, student, "late", "zip", "the file name marks this submission late")
                    person = None
                if person:
                    people[student] = person
                    if person.get("late"):
                        _note(notes, student, "late", "zip", "the LMS marked this submission late")
                notebook = original.lower().endswith(".ipynb")
                if not notebook and not owned and "/" not in name.strip("/"):
                    continue  # a loose file at the top of a zip that is no LMS's: nobody's submission
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
                target = scratch / f"{number}.part"
                try:
                    with archive.open(info) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)
                except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as error:
                    _note(notes, student, "skipped-file", "zip", f"{original}: cannot be unpacked ({error})")
                    continue
                unpacked += info.file_size
                if notebook:
                    files.setdefault(student, []).append((original, target))
                else:
                    others.setdefault(student, []).append((original, target))
        for student, choices in sorted(files.items()):
            _place(student, choices, submitted_dir, assignment, notebook_name, notes)
        for student, kept in sorted(others.items()):
            _keep_other_files(student, kept, submitted_dir, assignment)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    remember_participants(submitted_dir, people)
    return notes


def _note(notes, student, kind, where, detail):
    notes.setdefault(student, []).append(Flag(kind, where, detail))


def _is_expected_name(original, notebook_name):
    """``toy.ipynb``, or Canvas's name for a re-upload of it (``toy-1.ipynb``, ``toy-2.ipynb``)."""
    return re.fullmatch(re.escape(notebook_name) + r"(-\d+)?", Path(original).stem) is not None


def _place(student, choices, submitted_dir, assignment, notebook_name, notes):
    chosen = next((c for c in choices if _is_expected_name(c[0], notebook_name)), None)
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


def _keep_other_files(student, kept, submitted_dir, assignment):
    """Keep what is not a notebook in ``<student>/<assignment>/files/`` for the instructor to read.

    A folder of its own, so that no file the student sends (``timestamp.txt``!) can stand for one
    of the grader's. A student with only such files gets an assignment folder without a notebook,
    which :mod:`nngrade.collect` reports as ``missing`` on this run and every later one."""
    folder = Path(submitted_dir) / student / assignment / OTHER_FILES
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for original, path in kept:
        name = _clean(Path(original).name) or "file"
        if (folder / name).exists():
            name = f"{len(names)}-{name}"
        shutil.move(path, folder / name)
        names.append(name)


def remember_participants(submitted_dir, people):
    """Add LMS participants (``{student: person}``) to ``submitted/.lms-participants.json``, keeping
    what was known of each (a roster's display name and section) and updating the rest."""
    if not people:
        return
    register = Path(submitted_dir) / ".lms-participants.json"
    register.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(register.read_text()) if register.exists() else {}
    for student, person in people.items():
        known[student] = {**known.get(student, {}), **person}
    register.write_text(json.dumps(known, indent=1, sort_keys=True))


def participants(submitted_dir):
    register = Path(submitted_dir) / ".lms-participants.json"
    return json.loads(register.read_text()) if register.exists() else {}


def write_grades(path, assignment, totals, maximum, people, lms, column=None, out_of=None):
    """Write the CSV the LMS imports: ``totals`` is ``{student: points or None}``.

    ``None`` (a submission not graded fully, or none at all) leaves the grade cell empty, so an
    upload never turns "could not grade" into 0: Canvas leaves an empty cell unchanged, Moodle's
    worksheet import skips it. ``column`` is the Canvas gradebook column to fill (``"Toy (12345)"``
    as Canvas exports it; default: the assignment's name, which Canvas matches by title or offers
    to create). ``out_of`` rescales every grade from ``maximum`` to that many points, for an LMS
    assignment worth something else (neither LMS rescales on import).
    """
    if out_of is not None and not out_of > 0:
        raise ValueError(f"lms_points: the LMS assignment's worth must be a positive number of points, got {out_of!r}")
    path = Path(path)
    scale = 1.0 if out_of is None else out_of / maximum
    shown_maximum = maximum if out_of is None else out_of

    def grade(points):
        return "" if points is None else f"{round(points * scale, 2):g}"

    rows = [(student, people[student], totals[student]) for student in sorted(totals)
            if people.get(student, {}).get("lms") == lms]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if lms == "moodle":
            modified = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            writer.writerow(["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"])
            for student, person, points in rows:
                writer.writerow([f"Participant {person['id']}", person["name"], grade(points),
                                 f"{shown_maximum:g}", modified])
        elif lms == "canvas":
            column = column or assignment
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
            writer.writerow(["Points Possible", "", "", "", "", f"{shown_maximum:g}"])
            for student, person, points in rows:
                writer.writerow([person.get("display", person["name"]), person["id"], person.get("sis_user", ""),
                                 person.get("sis_login", ""), person.get("section", ""), grade(points)])
        else:
            raise ValueError(f"lms: {lms!r} is not one of 'canvas', 'moodle'")
    return path


def write_feedback_zip(path, lms, people, feedback_dir, assignment):
    """The LMS's "upload feedback files" zip: each student's feedback page where the LMS looks for it.

    - Moodle ("Upload multiple feedback files in a zip", with the "Feedback files" feedback type):
      one folder per participant named as in the submissions download,
      ``<Full Name>_<id>_assignsubmission_file_/<assignment>-feedback.html``.
    - Canvas ("Re-upload submissions"): one file per student named as the download names it,
      ``<login>_<user id>_<file id>_<assignment>-feedback.html``; Canvas attaches it to that
      student's submission as a comment.

    Returns ``(path, [students with no feedback page])``.
    """
    import zipfile

    missing = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for student, person in sorted(people.items()):
            if person.get("lms") != lms:
                continue
            page = Path(feedback_dir) / student / assignment / f"{assignment}.html"
            if not page.is_file():
                missing.append(student)
                continue
            name = f"{assignment}-feedback.html"
            if lms == "moodle":
                entry = f"{person['name']}_{person['id']}_assignsubmission_file_/{name}"
            elif lms == "canvas":
                entry = f"{person['name']}_{person['id']}_{person.get('file_id') or 0}_{name}"
            else:
                raise ValueError(f"lms: {lms!r} is not one of 'canvas', 'moodle'")
            archive.write(page, entry)
    return Path(path), missing
