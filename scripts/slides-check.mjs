#!/usr/bin/env node
// slides-check.mjs - open rendered decks in a real browser and check that every slide fits.
//
//   node scripts/slides-check.mjs [--png DIR] [--slides 1,4] DECK.html...
//
// For each deck (Marp HTML, as scripts/slides renders it) and each of its slides, in headless
// Chromium (CHROME_PATH, else /usr/bin/chromium) driven by playwright-core:
//   - nothing overflows the frame: the slide's content is no taller or wider than the slide, no
//     element or line of text lies outside it, and no box inside it (a code block, a table) has
//     content it must scroll or clip;
//   - every image has loaded (naturalWidth > 0): a diagram that failed to render shows here;
//   - the slide has speaker notes.
// It prints one line per deck, "ok DECK: ..." or one "FAIL DECK slide N (heading): what" line per
// problem, and exits 1 when any slide fails (2 when the browser cannot start).
// --png DIR saves each slide as DIR/DECK-NN.png (1280x720) to look at; --slides limits which.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const usage = 'usage: node scripts/slides-check.mjs [--png DIR] [--slides 1,4] DECK.html...';
const decks = [];
let pngDir = null;
let only = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--png') pngDir = args[++i];
  else if (args[i] === '--slides') only = new Set(args[++i].split(',').map(Number));
  else if (args[i].startsWith('-')) { console.error(usage); process.exit(2); }
  else decks.push(resolve(args[i]));
}
if (decks.length === 0) { console.error(usage); process.exit(2); }
if (pngDir) mkdirSync(pngDir, { recursive: true });

// How far (CSS px) a box may stick out before it counts: sub-pixel rounding, not a real overflow.
const SLACK = 1;

// measure: runs in the page. For each slide, the problems found (strings), its heading, and
// whether it has notes. The print layout puts every slide at its real size (1280x720), one
// under the other, as in the PDF; on screen Marp shows only the current one.
function measure(slack) {
  const notes = new Set([...document.querySelectorAll('.bespoke-marp-note')]
    .filter((note) => note.textContent.trim() !== '')
    .map((note) => Number(note.dataset.index)));
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.className && typeof el.className === 'string') text += '.' + el.className.split(' ')[0];
    const words = (el.textContent || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ');
    return words ? `${text} "${words.slice(0, 40)}${words.length > 40 ? '...' : ''}"` : text;
  };
  const outside = (box, frame) =>
    box.left < frame.left - slack || box.top < frame.top - slack ||
    box.right > frame.right + slack || box.bottom > frame.bottom + slack;
  const sides = (box, frame) => {
    const by = [];
    if (box.bottom > frame.bottom + slack) by.push(`${Math.round(box.bottom - frame.bottom)}px below`);
    if (box.right > frame.right + slack) by.push(`${Math.round(box.right - frame.right)}px right`);
    if (box.top < frame.top - slack) by.push(`${Math.round(frame.top - box.top)}px above`);
    if (box.left < frame.left - slack) by.push(`${Math.round(frame.left - box.left)}px left`);
    return by.join(', ');
  };
  return [...document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')].map((section, index) => {
    const problems = [];
    const frame = section.getBoundingClientRect();
    const scale = frame.width / section.offsetWidth || 1;
    if (section.scrollHeight > section.clientHeight + slack || section.scrollWidth > section.clientWidth + slack) {
      problems.push(`content overflows the frame: it is ${section.scrollWidth}x${section.scrollHeight}px, the slide ${section.clientWidth}x${section.clientHeight}px`);
    }
    // Name the outermost thing that sticks out, not each of its children.
    const reported = [];
    const inReported = (node) => reported.some((el) => el.contains(node));
    for (const el of section.querySelectorAll('*')) {
      if (el.closest('svg') !== section.closest('svg')) continue; // a nested SVG's own parts
      if (inReported(el)) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (outside(box, frame)) {
        problems.push(`${describe(el)} sticks out of the slide (${sides(box, frame)})`);
        reported.push(el);
        continue;
      }
      const style = getComputedStyle(el);
      const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
      if (clips && el.tagName !== 'svg' &&
          (el.scrollHeight > el.clientHeight + slack || el.scrollWidth > el.clientWidth + slack)) {
        problems.push(`${describe(el)} is too big for its box: it needs ${el.scrollWidth}x${el.scrollHeight}px and has ${el.clientWidth}x${el.clientHeight}px`);
        reported.push(el);
      }
    }
    // Lines of text, which are not elements: a long word can leave a paragraph that fits.
    const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || inReported(node)) continue;
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) {
        if (box.width > 0 && outside(box, frame)) {
          problems.push(`text "${node.textContent.trim().slice(0, 40)}" runs out of the slide (${sides(box, frame)})`);
          break;
        }
      }
    }
    for (const img of section.querySelectorAll('img')) {
      if (!img.complete || img.naturalWidth === 0) {
        problems.push(`image ${img.getAttribute('src')} did not load (naturalWidth ${img.naturalWidth})`);
      }
    }
    if (!notes.has(index)) problems.push('no speaker notes (an HTML comment after the slide\'s content)');
    const heading = section.querySelector('h1, h2, h3');
    return {
      heading: heading ? heading.textContent.trim() : '',
      problems: [...new Set(problems)].slice(0, 4),
      images: section.querySelectorAll('img').length,
      scale,
    };
  });
}

const userDataDir = mkdtempSync(join(tmpdir(), 'sockchat-slides-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 720 },
    offline: true,
    timeout: 60000,
  });
} catch (error) {
  console.error(`slides-check: cannot start Chromium: ${error.message.split('\n')[0]}`);
  rmSync(userDataDir, { recursive: true, force: true });
  process.exit(2);
}

let failed = 0;
try {
  const page = await context.newPage();
  for (const deck of decks) {
    const name = basename(deck, '.html');
    const response = await page.goto(pathToFileURL(deck).href, { waitUntil: 'load' }).catch((e) => e);
    if (response instanceof Error) {
      console.log(`FAIL ${name}: cannot open ${deck}: ${response.message.split('\n')[0]}`);
      failed++;
      continue;
    }
    await page.emulateMedia({ media: 'print' });
    // Fonts and images first: a measurement before they arrive measures the wrong text.
    await page.evaluate(async () => {
      await document.fonts.ready;
      await Promise.all([...document.images].map((img) => (img.complete ? null : new Promise((done) => {
        img.addEventListener('load', done); img.addEventListener('error', done);
      }))));
    });
    const slides = await page.evaluate(measure, SLACK);
    if (slides.length === 0) {
      console.log(`FAIL ${name}: no slides found (is it a Marp deck?)`);
      failed++;
      continue;
    }
    let bad = 0;
    slides.forEach((slide, i) => {
      if (only && !only.has(i + 1)) return;
      for (const problem of slide.problems) {
        console.log(`FAIL ${name} slide ${i + 1}${slide.heading ? ` (${slide.heading})` : ''}: ${problem}`);
      }
      if (slide.problems.length) bad++;
    });
    if (bad) failed++;
    else {
      const images = slides.reduce((sum, slide) => sum + slide.images, 0);
      console.log(`ok ${name}: ${slides.length} slides fit their frames, ${images} image(s) load, every slide has notes`);
    }
    if (pngDir) {
      const frames = await page.$$('svg[data-marpit-svg]');
      for (let i = 0; i < frames.length; i++) {
        if (only && !only.has(i + 1)) continue;
        const file = join(pngDir, `${name}-${String(i + 1).padStart(2, '0')}.png`);
        await frames[i].screenshot({ path: file });
      }
    }
  }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
