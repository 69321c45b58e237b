// Reading a learner's own data from CSV text. No DOM: tests/js/csv.test.mjs tries every bad file.
import { DOMAIN, MAX_CLASSES } from "./data.js";

export const MAX_ROWS = 1000;
export const MAX_BYTES = 200_000; // 1000 rows of four long numbers fit easily; a bigger file is refused unread

const FORMS = [
  { columns: ["x1", "x2", "label"], task: "classification" },
  { columns: ["x1", "target"], task: "regression" },
];
const FORM_NAMES = FORMS.map((f) => f.columns.join(",")).join(" or ");

export class CsvError extends Error {}

/**
 * The points of a CSV text: {task, classes, points: [{x1, x2, y, split}]}.
 *
 * The first line names the columns: `x1,x2,label` (classes 0 to 4) or `x1,target` (a 1-D curve);
 * an optional last column `split` says `train` or `test` for each row (the playground's own
 * "Data as CSV" export writes these forms, with the split). x1 and x2 must lie in [-3, 3], the square the
 * playground draws. Throws CsvError naming the line and the problem.
 */
export function parseCsv(text, { maxRows = MAX_ROWS } = {}) {
  const lines = String(text).replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (!lines.length) throw new CsvError(`The file is empty: expected a first line naming the columns ${FORM_NAMES}, then one row per point.`);
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const hasSplit = header[header.length - 1] === "split";
  const named = (hasSplit ? header.slice(0, -1) : header).join(",");
  const form = FORMS.find((f) => f.columns.join(",") === named);
  if (!form) throw new CsvError(`Line 1: expected the columns ${FORM_NAMES} (and optionally split); found ${JSON.stringify(lines[0].slice(0, 80))}.`);
  const rows = lines.length - 1;
  if (rows === 0) throw new CsvError("The file has column names but no rows of data.");
  if (rows > maxRows) throw new CsvError(`The file has ${rows.toLocaleString("en")} rows of data; the playground takes at most ${maxRows.toLocaleString("en")}. Keep a sample of them.`);
  const points = [];
  let top = 0;
  for (let k = 1; k < lines.length; k++) {
    const line = k + 1; // as an editor numbers the file's lines
    const cells = lines[k].split(",").map((c) => c.trim());
    if (cells.length !== header.length) throw new CsvError(`Line ${line}: expected ${header.length} values (${header.join(",")}); found ${cells.length}.`);
    const values = cells.slice(0, form.columns.length).map((cell, c) => {
      const v = cell === "" ? NaN : Number(cell);
      if (!Number.isFinite(v)) throw new CsvError(`Line ${line}: ${header[c]} is ${JSON.stringify(cell.slice(0, 30))}, not a number.`);
      return v;
    });
    const [x1, x2] = form.task === "regression" ? [values[0], 0] : values;
    const y = values[values.length - 1];
    for (const [name, v] of [["x1", x1], ["x2", x2]]) {
      if (Math.abs(v) > DOMAIN) throw new CsvError(`Line ${line}: ${name} = ${v} lies outside [-${DOMAIN}, ${DOMAIN}], the square the playground draws: scale the data first.`);
    }
    if (form.task === "classification" && !(Number.isInteger(y) && y >= 0 && y < MAX_CLASSES)) {
      throw new CsvError(`Line ${line}: label ${JSON.stringify(cells[2])} is not a class: labels are whole numbers from 0 to ${MAX_CLASSES - 1}.`);
    }
    let split = null;
    if (hasSplit) {
      split = cells[cells.length - 1].toLowerCase();
      if (split !== "train" && split !== "test") throw new CsvError(`Line ${line}: split is ${JSON.stringify(cells[cells.length - 1].slice(0, 30))}; expected train or test.`);
    }
    top = Math.max(top, y);
    points.push({ x1, x2, y, split });
  }
  const classes = form.task === "classification" ? Math.max(2, top + 1) : 0;
  return { task: form.task, classes, points };
}
