#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
//
// speedscope_check.js - opens a speedscope file in the real speedscope app (npm `speedscope`,
// its dist/release page) in headless Chromium, as the format e2e tests need:
//
//   node speedscope_check.js PROFILE.json [NAME...]
//
// Checks the file against speedscope's own schema (file-format-schema.json), serves the app
// and the file from a loopback HTTP server on an ephemeral port, loads
// index.html#profileURL=..., waits for the profile to load, switches to the Sandwich view
// (key '3': its table lists frame names) and prints one JSON object: the schema errors, the
// page's errors and console errors, the document title, the toolbar's text, the profiles'
// names, and for each NAME whether the Sandwich table lists it. Exit 0 if it ran (the
// caller asserts on the JSON), 2 if it could not.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const puppeteer = require("puppeteer-core");

const RELEASE = path.join(__dirname, "node_modules", "speedscope", "dist", "release");
const SCHEMA = path.join(RELEASE, "file-format-schema.json");
const CHROMIUM = "/usr/bin/chromium";
// The whole run, launch to close: a page that never loads must not hang the test.
const DEADLINE_MS = 60000;
// How long the page may take to load and render the profile (a large one: seconds).
const LOAD_TIMEOUT_MS = 30000;
// Settling time after a view switch: speedscope renders on the next animation frames.
const RENDER_MS = 500;
const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

// The schema keywords file-format-schema.json uses (draft-07: $ref, type, const, enum,
// properties, required, items, anyOf): the errors of value v against schema s, at `where`.
function validate(root, s, v, where, errors) {
  if (s.$ref) {
    s = root.definitions[s.$ref.replace("#/definitions/", "")];
  }
  if (s.anyOf) {
    const ok = s.anyOf.some((alt) => {
      const e = [];
      validate(root, alt, v, where, e);
      return e.length === 0;
    });
    if (!ok) errors.push(`${where}: matches none of anyOf`);
    return;
  }
  const type = Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
  if (s.type && s.type !== type && !(s.type === "integer" && Number.isInteger(v))) {
    errors.push(`${where}: ${type}, expected ${s.type}`);
    return;
  }
  if ("const" in s && v !== s.const) errors.push(`${where}: ${JSON.stringify(v)} != const ${s.const}`);
  if (s.enum && !s.enum.includes(v)) errors.push(`${where}: ${JSON.stringify(v)} not in enum`);
  for (const key of s.required || []) {
    if (!(key in v)) errors.push(`${where}: no ${key}`);
  }
  for (const [key, sub] of Object.entries(s.properties || {})) {
    if (type === "object" && key in v) validate(root, sub, v[key], `${where}.${key}`, errors);
  }
  if (s.items && type === "array") {
    v.forEach((item, i) => validate(root, s.items, item, `${where}[${i}]`, errors));
  }
}

// The app's files (by name, from RELEASE only) and the profile, on 127.0.0.1.
function serve(profilePath) {
  const files = new Set(fs.readdirSync(RELEASE));
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\//, "");
    const file = name === "profile.json" ? profilePath : files.has(name) ? path.join(RELEASE, name) : null;
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

async function check(profilePath, names, report) {
  const server = await serve(profilePath);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    // tall: the Sandwich table renders only the rows in view
    await page.setViewport({ width: 1280, height: 2400 });
    page.on("pageerror", (e) => report.page_errors.push(String(e && e.message ? e.message : e)));
    page.on("console", (m) => {
      if (m.type() === "error") report.console_errors.push(m.text());
    });
    const profileURL = encodeURIComponent(`${base}/profile.json`);
    await page.goto(`${base}/index.html#profileURL=${profileURL}`, { waitUntil: "load" });
    // loaded: the title becomes "NAME - speedscope" and a canvas (the flame graph) is drawn
    await page.waitForFunction(
      () => / - speedscope$/.test(document.title) && document.querySelector("canvas"),
      { timeout: LOAD_TIMEOUT_MS },
    );
    report.loaded = true;
    report.title = await page.title();
    await page.keyboard.press("3");
    await new Promise((r) => setTimeout(r, RENDER_MS));
    const text = await page.evaluate(() => document.body.innerText);
    report.sandwich = /Self/.test(text) && /Total/.test(text);
    report.toolbar = text.split("\n").slice(0, 8).join("\n");
    for (const name of names) report.found[name] = text.includes(name);
  } finally {
    await browser.close();
    server.close();
  }
}

async function main() {
  const [profilePath, ...names] = process.argv.slice(2);
  const report = {
    schema_errors: [],
    page_errors: [],
    console_errors: [],
    loaded: false,
    title: null,
    sandwich: false,
    toolbar: null,
    profiles: [],
    found: {},
  };
  if (!profilePath) {
    console.error("usage: speedscope_check.js PROFILE.json [NAME...]");
    process.exit(2);
  }
  const timer = setTimeout(() => {
    console.log(JSON.stringify({ ...report, error: `not done in ${DEADLINE_MS} ms` }));
    process.exit(2);
  }, DEADLINE_MS);
  try {
    const data = JSON.parse(fs.readFileSync(profilePath, "utf8"));
    const schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8"));
    validate(schema, schema, data, "$", report.schema_errors);
    report.profiles = (data.profiles || []).map((p) => p.name);
    await check(profilePath, names, report);
  } catch (e) {
    report.error = String(e && e.stack ? e.stack : e);
  }
  clearTimeout(timer);
  console.log(JSON.stringify(report));
  process.exit(report.error ? 2 : 0);
}

main();
