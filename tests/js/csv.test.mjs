// csv.js: a learner's own data. Good files load; each bad one is refused with the line and the problem.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PLAYGROUND } from "./helpers.mjs";

const { CsvError, MAX_ROWS, parseCsv } = await import(new URL("csv.js", PLAYGROUND));

test("x1,x2,label: classes from the largest label, any line ending, a byte-order mark", () => {
  const data = parseCsv("\uFEFFx1,x2,label\r\n0.5,-1,0\r\n1,2,2\r\n-3,3,1\r\n\r\n");
  assert.equal(data.task, "classification");
  assert.equal(data.classes, 3);
  assert.deepEqual(data.points, [{ x1: 0.5, x2: -1, y: 0, split: null }, { x1: 1, x2: 2, y: 2, split: null }, { x1: -3, x2: 3, y: 1, split: null }]);
});

test("x1,target with a split column: a curve, each row's split kept", () => {
  const data = parseCsv("x1, target, split\n0.1, 2.5, train\n-1, -0.25, TEST\n");
  assert.equal(data.task, "regression");
  assert.deepEqual(data.points.map((p) => [p.x1, p.x2, p.y, p.split]), [[0.1, 0, 2.5, "train"], [-1, 0, -0.25, "test"]]);
});

test("one class only still trains as two classes", () => {
  assert.equal(parseCsv("x1,x2,label\n0,0,0\n1,1,0\n").classes, 2);
});

const BAD = [
  ["an empty file", "", /The file is empty/],
  ["only blank lines", "\n\n  \n", /The file is empty/],
  ["wrong columns", "a,b,c\n1,2,0\n", /Line 1: expected the columns x1,x2,label or x1,target .*found "a,b,c"/],
  ["a 2-D target", "x1,x2,target\n1,2,0.5\n", /Line 1: expected the columns/],
  ["column names only", "x1,x2,label\n", /column names but no rows/],
  ["text in a number column", "x1,x2,label\n0,0,1\n0.5,abc,1\n", /Line 3: x2 is "abc", not a number/],
  ["an empty cell", "x1,x2,label\n0,,1\n", /Line 2: x2 is "", not a number/],
  ["a missing value", "x1,x2,label\n0,1\n", /Line 2: expected 3 values \(x1,x2,label\); found 2/],
  ["a label out of range", "x1,x2,label\n0,0,1\n1,1,7\n", /Line 3: label "7" is not a class: labels are whole numbers from 0 to 4/],
  ["a negative label", "x1,x2,label\n0,0,-1\n", /Line 2: label "-1" is not a class/],
  ["a fractional label", "x1,x2,label\n0,0,0.5\n", /Line 2: label "0.5" is not a class/],
  ["a point off the square", "x1,x2,label\n0,0,1\n4,0,1\n", /Line 3: x1 = 4 lies outside \[-3, 3\].*scale the data first/],
  ["an unknown split", "x1,target,split\n0,1,validation\n", /Line 2: split is "validation"; expected train or test/],
  ["infinity", "x1,target\nInfinity,1\n", /Line 2: x1 is "Infinity", not a number/],
];
for (const [what, text, message] of BAD) {
  test(`refused with the line and the problem: ${what}`, () => {
    assert.throws(() => parseCsv(text), (error) => error instanceof CsvError && message.test(error.message));
  });
}

test("a million rows are refused by counting lines, before any is parsed", () => {
  const text = "x1,x2,label\n" + "0,0,1\n".repeat(1_000_000);
  assert.throws(() => parseCsv(text), /The file has 1,000,000 rows of data; the playground takes at most 1,000/);
  assert.equal(MAX_ROWS, 1000);
});
