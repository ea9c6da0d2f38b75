// The layout designer: regions dragged, resized and drawn on a canvas of the chosen screen's shape.
//
// Progressive enhancement over the percentage form (docs/console.md, "The layout designer"): the
// table's numbers stay what is saved and what the server checks. The designer only writes them
// (and fires the form's input event, so the live preview redraws the boxes, layout-preview.js) and
// decorates the preview's boxes: focusable, draggable, with a resize corner, overlaps outlined and
// said in words, the safe area drawn, and on LED panels a sample line at the smallest text size.

import { readRow } from "./layout-preview.js";
import { clampBox, fill, overlapping, resized, snapEdge, snapSpan, tidy, tooSmall } from "./layout-geometry.js";

const GEOMETRY = ["x", "y", "w", "h"];
const DRAW_THRESHOLD = 2; // %: a drag on empty screen shorter than this draws nothing

class Designer {
  constructor(form, root) {
    this.form = form;
    this.root = root;
    this.stage = form.querySelector("#layout-preview");
    this.profiles = JSON.parse(root.dataset.profiles);
    this.words = JSON.parse(root.dataset.words);
    this.maxRegions = Number(root.dataset.max) || 32;
    this.profile = this.profiles[0];
    this.selected = null; // the form row index of the selected region
    this.gesture = null;
    this.select = root.querySelector("#layout-profile");
    this.status = root.querySelector("#layout-designer-status");
    this.overlaps = root.querySelector("#layout-overlaps");
    this.note = root.querySelector("#layout-designer-note");
  }

  start() {
    this.root.hidden = false;
    const hint = this.form.querySelector("#layout-preview-hint");
    if (hint) hint.hidden = true; // "drawn on 16:9" no longer holds: the designer's hint says how it is drawn
    this.stage.classList.add("lay-stage--designer");
    this.stage.setAttribute("role", "group"); // it holds operable regions now, not one picture
    this.stage.setAttribute("aria-label", this.words.designer);
    this.safe = document.createElement("div");
    this.safe.className = "lay-safe";
    this.safe.setAttribute("aria-hidden", "true");
    this.stage.append(this.safe);
    for (const p of this.profiles) this.select.append(new Option(p.label, p.key));
    this.select.addEventListener("change", () => this.useProfile(this.select.value));
    // after the preview's own listeners (registered when layout-preview.js ran): decorate what it drew
    this.form.addEventListener("input", () => this.render());
    this.form.addEventListener("change", () => this.render());
    this.stage.addEventListener("pointerdown", (e) => this.down(e));
    this.stage.addEventListener("pointermove", (e) => this.move(e));
    this.stage.addEventListener("pointerup", (e) => this.up(e));
    this.stage.addEventListener("pointercancel", () => this.cancel());
    this.stage.addEventListener("keydown", (e) => this.key(e));
    this.stage.addEventListener("focusin", (e) => {
      const box = e.target.closest?.(".lay-box");
      if (box) this.choose(Number(box.dataset.row));
    });
    globalThis.addEventListener?.("resize", () => this.render());
    this.useProfile(this.profile.key);
  }

  useProfile(key) {
    this.profile = this.profiles.find((p) => p.key === key) ?? this.profiles[0];
    this.select.value = this.profile.key;
    const { width, height, safe, led } = this.profile;
    this.stage.style.aspectRatio = `${width} / ${height}`;
    // a portrait or very tall screen fits the window's height, not the column's width
    this.stage.style.width = `min(100%, 860px, calc(64vh * ${width / height}))`;
    this.stage.dataset.profile = this.profile.key;
    this.stage.classList.toggle("lay-stage--led", led);
    Object.assign(this.safe.style, { inset: `${safe}%`, display: safe > 0 ? "" : "none" });
    const notes = [];
    if (safe > 0) notes.push(fill(this.words.safe, { inset: safe }));
    if (led) notes.push(fill(this.words.sample_note, { px: Math.round(this.profile.line_px.playlist * 10) / 10 }));
    this.note.textContent = notes.join(" ");
    this.render();
  }

  // -- the form rows -----------------------------------------------------------------------------

  rows() {
    return [...this.form.querySelectorAll("tr[data-row]")];
  }

  row(index) {
    return this.form.querySelector(`tr[data-row="${index}"]`);
  }

  removed(row) {
    return Boolean(row.querySelector("input[name$='.remove']")?.checked);
  }

  /** Every drawn region: {index, box} for the rows whose numbers read and that are not removed. */
  regions() {
    const found = [];
    for (const row of this.rows()) {
      const box = this.removed(row) ? null : readRow(row);
      if (box) found.push({ index: Number(row.dataset.row), box });
    }
    return found;
  }

  write(index, box) {
    const row = this.row(index);
    for (const f of GEOMETRY) {
      const input = row.querySelector(`input[name="r${index}.${f}"]`);
      input.value = String(tidy(box[f]));
    }
    row.querySelector(`input[name="r${index}.x"]`).dispatchEvent(new Event("input", { bubbles: true }));
  }

  /** A row for a new region: the first blank one, or a copy of the last row emptied; null when full. */
  blankRow() {
    const rows = this.rows();
    if (this.regions().length >= this.maxRegions) return null;
    const empty = rows.find((r) => !this.removed(r) && !readRow(r)
      && !r.querySelector("input[name$='.name']").value.trim()
      && GEOMETRY.every((f) => !r.querySelector(`input[name$='.${f}']`).value.trim()));
    if (empty) return empty;
    const last = rows[rows.length - 1];
    const index = Math.max(...rows.map((r) => Number(r.dataset.row))) + 1;
    const copy = last.cloneNode(true);
    copy.dataset.row = String(index);
    copy.classList.remove("lay-rows__bad");
    const label = fill(this.words.region_n, { n: index + 1 });
    copy.querySelector("th").textContent = label;
    for (const el of copy.querySelectorAll("[name]")) {
      const field = el.name.replace(/^r\d+\./, "");
      el.name = `r${index}.${field}`;
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.closest("td")?.classList.remove("field--bad");
      const said = el.getAttribute("aria-label");
      if (said) el.setAttribute("aria-label", said.replace(/^\S+/, label));
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    }
    last.closest("tbody").append(copy);
    return copy;
  }

  addRegion(box) {
    const row = this.blankRow();
    if (!row) {
      this.say(fill(this.words.full, { limit: this.maxRegions }));
      return;
    }
    const index = Number(row.dataset.row);
    const taken = new Set(this.regions().map((r) => r.box.name));
    let n = index + 1;
    while (taken.has(fill(this.words.new_name, { n }))) n += 1;
    row.querySelector(`input[name="r${index}.name"]`).value = fill(this.words.new_name, { n });
    this.write(index, box);
    this.choose(index);
    this.stage.querySelector(`.lay-box[data-row="${index}"]`)?.focus();
    this.sayRegion(index);
  }

  // -- drawing -----------------------------------------------------------------------------------

  render() {
    const regions = this.regions();
    const clash = new Set();
    const pairs = [];
    for (let i = 0; i < regions.length; i += 1) {
      for (let j = i + 1; j < regions.length; j += 1) {
        if (overlapping(regions[i].box, regions[j].box)) {
          clash.add(regions[i].index);
          clash.add(regions[j].index);
          pairs.push([regions[i], regions[j]]);
        }
      }
    }
    const scale = this.stage.clientHeight / this.profile.height;
    for (const { index, box } of regions) {
      const el = this.stage.querySelector(`.lay-box[data-row="${index}"]`);
      if (!el) continue;
      const small = tooSmall(box, this.profile);
      el.tabIndex = 0;
      el.setAttribute("role", "button");
      el.setAttribute("aria-pressed", String(this.selected === index));
      el.setAttribute("aria-label", this.describe(index, box) + (small ? this.words.too_small : ""));
      el.classList.toggle("lay-box--selected", this.selected === index);
      el.classList.toggle("lay-box--overlap", clash.has(index));
      el.classList.toggle("lay-box--small", small);
      if (!el.querySelector(".lay-box__resize")) {
        const corner = document.createElement("i");
        corner.className = "lay-box__resize";
        corner.setAttribute("aria-hidden", "true");
        el.append(corner);
      }
      let sample = el.querySelector(".lay-box__sample");
      if (this.profile.led && this.profile.line_px[box.widget]) {
        if (!sample) {
          sample = document.createElement("b");
          sample.className = "lay-box__sample";
          sample.setAttribute("aria-hidden", "true");
          el.append(sample);
        }
        // drawn by CSS from the attribute: a picture of type, not words of the region's name
        sample.dataset.sample = this.words.sample;
        sample.style.fontSize = `${this.profile.line_px[box.widget] * scale}px`;
      } else {
        sample?.remove();
      }
    }
    this.overlaps.replaceChildren(...pairs.map(([a, b]) => {
      const li = document.createElement("li");
      li.textContent = fill(this.words.overlap, { a: a.index + 1, an: a.box.name, b: b.index + 1, bn: b.box.name });
      return li;
    }));
    this.root.querySelector("#layout-overlaps-head").textContent = pairs.length
      ? this.words.overlaps : this.words.no_overlap;
    this.root.classList.toggle("designer--overlap", pairs.length > 0);
  }

  describe(index, box) {
    return fill(this.words.region, { n: index + 1, name: box.name, x: tidy(box.x), y: tidy(box.y), w: tidy(box.w),
      h: tidy(box.h) });
  }

  say(text) {
    this.status.textContent = text;
  }

  sayRegion(index) {
    const region = this.regions().find((r) => r.index === index);
    if (region) this.say(this.describe(index, region.box));
  }

  choose(index) {
    if (this.selected === index) return;
    this.selected = index;
    this.render();
  }

  // -- pointer and keyboard ----------------------------------------------------------------------

  /** Where a pointer event lies, in % of the screen. */
  at(event) {
    const rect = this.stage.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * 100, y: ((event.clientY - rect.top) / rect.height) * 100 };
  }

  /** The edges a moving region may land on: the screen's, the safe area's and every other region's. */
  edges(except) {
    const xs = [0, 100];
    const ys = [0, 100];
    if (this.profile.safe > 0) {
      xs.push(this.profile.safe, 100 - this.profile.safe);
      ys.push(this.profile.safe, 100 - this.profile.safe);
    }
    for (const { index, box } of this.regions()) {
      if (index === except) continue;
      xs.push(box.x, box.x + box.w);
      ys.push(box.y, box.y + box.h);
    }
    return { xs, ys };
  }

  down(event) {
    if (event.button !== 0) return;
    const el = event.target.closest(".lay-box");
    const from = this.at(event);
    if (el && el.dataset.row !== undefined) {
      const index = Number(el.dataset.row);
      const region = this.regions().find((r) => r.index === index);
      if (!region) return;
      this.choose(index);
      el.focus({ preventScroll: true });
      const resize = event.target.classList.contains("lay-box__resize");
      this.gesture = { kind: resize ? "resize" : "move", index, from, box: { ...region.box } };
    } else {
      this.gesture = { kind: "draw", from, ghost: null };
    }
    this.stage.setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  move(event) {
    const g = this.gesture;
    if (!g) return;
    const to = this.at(event);
    const dx = to.x - g.from.x;
    const dy = to.y - g.from.y;
    if (g.kind === "draw") {
      g.box = this.drawn(g.from, to);
      if (!g.ghost) {
        g.ghost = document.createElement("div");
        g.ghost.className = "lay-ghost";
        this.stage.append(g.ghost);
      }
      Object.assign(g.ghost.style, { left: `${g.box.x}%`, top: `${g.box.y}%`, width: `${g.box.w}%`,
        height: `${g.box.h}%` });
      return;
    }
    const { xs, ys } = this.edges(g.index);
    const b = g.box;
    let next;
    if (g.kind === "move") {
      next = { x: snapSpan(b.x + dx, b.w, xs), y: snapSpan(b.y + dy, b.h, ys), w: b.w, h: b.h };
    } else {
      next = resized(b, snapEdge(b.x + b.w + dx, xs) - b.x, snapEdge(b.y + b.h + dy, ys) - b.y);
    }
    this.write(g.index, clampBox(next));
  }

  drawn(from, to) {
    const { xs, ys } = this.edges(null);
    const x1 = snapEdge(Math.min(from.x, to.x), xs);
    const x2 = snapEdge(Math.max(from.x, to.x), xs);
    const y1 = snapEdge(Math.min(from.y, to.y), ys);
    const y2 = snapEdge(Math.max(from.y, to.y), ys);
    return clampBox({ x: x1, y: y1, w: x2 - x1, h: y2 - y1 });
  }

  up(event) {
    const g = this.gesture;
    if (!g) return;
    this.gesture = null;
    this.stage.releasePointerCapture?.(event.pointerId);
    if (g.kind === "draw") {
      g.ghost?.remove();
      const to = this.at(event);
      if (Math.abs(to.x - g.from.x) >= DRAW_THRESHOLD && Math.abs(to.y - g.from.y) >= DRAW_THRESHOLD) {
        this.addRegion(this.drawn(g.from, to));
      }
      return;
    }
    this.sayRegion(g.index);
  }

  cancel() {
    this.gesture?.ghost?.remove();
    this.gesture = null;
  }

  key(event) {
    const el = event.target.closest?.(".lay-box");
    if (!el || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = Number(el.dataset.row);
    if (event.key === "Escape") {
      this.selected = null;
      this.render();
      return;
    }
    const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!steps) return;
    event.preventDefault();
    const region = this.regions().find((r) => r.index === index);
    if (!region) return;
    const b = region.box;
    const [dx, dy] = steps;
    const next = event.shiftKey ? resized(b, b.w + dx, b.h + dy) : { x: b.x + dx, y: b.y + dy, w: b.w, h: b.h };
    this.choose(index);
    this.write(index, clampBox(next));
    this.sayRegion(index);
  }
}

/** Start the designer on the layout form, if the page offers it; returns it (tests and the console). */
export function startDesigner(form) {
  const root = form.ownerDocument.getElementById("layout-designer");
  if (!root || !form.querySelector("#layout-preview")) return null;
  const designer = new Designer(form, root);
  designer.start();
  return designer;
}

const form = globalThis.document?.getElementById("layout-form");
if (form) startDesigner(form);

