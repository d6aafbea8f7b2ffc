// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// svg_check.js - opens an rbprof-bpf flame graph in headless Chromium (puppeteer-core, over
// the DevTools protocol) and works it as a user would: hovers and clicks the hot method's
// box, resets the zoom, searches for it with the Search control and with Ctrl-F, resets the
// search, and takes a screenshot. Prints one JSON object of what it saw; the e2e test
// (tests/e2e/cases/format_svg.rb) judges it.
//   node svg_check.js FILE.svg HOT_LABEL [SCREENSHOT.png]
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const puppeteer = require("puppeteer-core");

const CHROMIUM = "/usr/bin/chromium";
const VIEW_W = 1200; // the SVG's width (svg.c's IMAGE_W)
const MAX_VIEW_H = 4000; // px: a deeper graph is checked in its first 4000 px only

// The boxes as the page shows them now: name (the title without its counts), geometry,
// whether hidden or dimmed, the label drawn and whether that label overflows its box.
function boxes() {
  const suffix = /^([\s\S]*) \((\d+) samples, [\d.]+%\)$/;
  return Array.from(document.getElementById("frames").children).map((g, i) => {
    const title = g.querySelector("title").textContent;
    const rect = g.querySelector("rect");
    const text = g.querySelector("text");
    const m = suffix.exec(title);
    const w = +rect.getAttribute("width");
    return {
      i,
      name: m ? m[1] : title,
      samples: m ? +m[2] : -1,
      x: +rect.getAttribute("x"),
      y: +rect.getAttribute("y"),
      w,
      fill: rect.getAttribute("fill"),
      hidden: getComputedStyle(g).display === "none",
      dimmed: g.classList.contains("parent"),
      label: text.textContent,
      // 3 px of padding on each side (svg.c's TEXT_PAD)
      overflow: text.textContent !== "" && getComputedStyle(g).display !== "none" &&
        text.getComputedTextLength() > w - 6 + 0.01,
    };
  });
}

// Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) and counts its distinct pixels.
function pngColours(buf) {
  let off = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString("latin1", off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = { 2: 3, 6: 4 }[data[9]];
      if (data[8] !== 8 || !channels) throw new Error(`PNG not 8-bit RGB(A): ${data[8]}/${data[9]}`);
    } else if (type === "IDAT") {
      idat.push(data);
    }
    off += 12 + len; // length, type, data, CRC
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = Buffer.alloc(stride), cur = Buffer.alloc(stride);
  const seen = new Set();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0, b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i] + pred) & 0xff;
    }
    for (let x = 0; x < width; x++) seen.add(cur.readUIntBE(x * channels, 3));
    cur.copy(prev);
  }
  return { width, height, colours: seen.size };
}

// The text of an element by id.
function textOf(page, id) {
  return page.$eval(`#${id}`, (e) => e.textContent);
}

async function clickBox(page, i) {
  const rect = await page.evaluateHandle(
    (n) => document.getElementById("frames").children[n].querySelector("rect"), i);
  await rect.asElement().click();
}

// Searches through the prompt the page opens, answered with term; returns "Matched: ..".
async function searchWith(page, term, open) {
  const answer = (d) => d.accept(term);
  page.once("dialog", answer);
  await open();
  await page.waitForFunction(() => document.getElementById("matched").textContent.trim() !== "",
    { timeout: 5000 });
  return textOf(page, "matched");
}

async function main() {
  const [svgPath, hot, shot] = process.argv.slice(2);
  const out = { errors: [], dialogs: 0 };
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => out.errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && out.errors.push(`console: ${m.text()}`));
    page.on("dialog", () => out.dialogs++);
    const height = +/height="(\d+)"/.exec(fs.readFileSync(svgPath, "latin1"))[1];
    await page.setViewport({ width: VIEW_W, height: Math.min(height, MAX_VIEW_H) });
    await page.goto("file://" + path.resolve(svgPath), { waitUntil: "load" });
    out.title = await textOf(page, "title");
    out.subtitle = await textOf(page, "subtitle");
    let all = await page.evaluate(boxes);
    out.frames = all.length;
    out.names = all.map((b) => b.name);
    out.overflow = all.filter((b) => b.overflow).map((b) => [b.label, b.w]);
    out.fills = [...new Set(all.map((b) => b.fill))].length;
    const root = all.reduce((r, b) => (b.y > r.y ? b : r));
    out.total = root.samples;

    const hots = all.filter((b) => b.name.startsWith(hot + " (") || b.name === hot);
    if (hots.length) {
      const target = hots.reduce((r, b) => (b.w > r.w ? b : r));
      const siblings = all.filter((b) => b.y === target.y && b.i !== target.i);
      await page.hover(`#frames > g:nth-child(${target.i + 1}) > rect`);
      out.details = await textOf(page, "details");
      await clickBox(page, target.i);
      all = await page.evaluate(boxes);
      out.zoom = {
        name: target.name,
        before: target.w,
        after: all[target.i].w,
        siblings: siblings.length,
        siblings_hidden: siblings.filter((s) => all[s.i].hidden).length,
        dimmed: all.filter((b) => b.dimmed).length,
        overflow: all.filter((b) => b.overflow).length,
        unzoom_shown: await page.$eval("#unzoom", (e) => getComputedStyle(e).display !== "none"),
      };
      await page.click("#unzoom");
      all = await page.evaluate(boxes);
      out.unzoom = {
        width: all[target.i].w,
        hidden: all.filter((b) => b.hidden).length,
        dimmed: all.filter((b) => b.dimmed).length,
      };
    }

    const term = hot.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out.search = {};
    out.search.clicked = await searchWith(page, term, () => page.click("#search"));
    out.search.magenta = (await page.evaluate(boxes)).filter((b) => b.fill === "rgb(230,0,230)").length;
    await page.click("#resetsearch");
    out.search.after_reset = (await textOf(page, "matched")).trim();
    out.search.magenta_after_reset =
      (await page.evaluate(boxes)).filter((b) => b.fill === "rgb(230,0,230)").length;
    out.search.ctrl_f = await searchWith(page, term, async () => {
      await page.keyboard.down("Control");
      await page.keyboard.press("f");
      await page.keyboard.up("Control");
    });
    await page.keyboard.press("Escape");
    out.search.slash = await searchWith(page, term, () => page.keyboard.press("/"));
    await page.click("#resetsearch");

    const png = await page.screenshot({ type: "png", fullPage: true });
    if (shot) fs.writeFileSync(shot, png);
    out.png = pngColours(Buffer.from(png));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`svg_check: ${e.stack || e}\n`);
  process.exit(1);
});
