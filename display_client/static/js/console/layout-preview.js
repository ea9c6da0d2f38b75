// The layout editor's live preview: redraw the region boxes as the numbers are typed.
//
// Progressive enhancement: without this module the server draws the same boxes (from the last
// answer). Geometry is in percentages of the screen, as the form's fields are; a row whose four
// numbers do not all read as numbers has no box, as on the server. The server still checks
// everything on save (this only draws).

const GEOMETRY = ["x", "y", "w", "h"];

/** The box of one form row, or null when its numbers do not all read: {x, y, w, h, name, widget}. */
export function readRow(row) {
  const value = (field) => {
    const input = row.querySelector(`[data-preview="${field}"]`);
    const text = input ? input.value.trim() : "";
    const n = text === "" ? NaN : Number(text);
    return Number.isFinite(n) ? n : null;
  };
  const numbers = GEOMETRY.map(value);
  if (numbers.some((n) => n === null)) return null;
  const [x, y, w, h] = numbers;
  const name = row.querySelector("input[name$='.name']")?.value.trim() ?? "";
  const widget = row.querySelector("[data-preview='widget']")?.value ?? "playlist";
  if (!name && numbers.every((n) => n === 0)) return null;
  return { x, y, w: Math.max(w, 0), h: Math.max(h, 0), name, widget };
}

/** Whether a box leaves the screen or has no size (drawn as a mistake, as the server would refuse it). */
export function outside(box) {
  return box.x < 0 || box.y < 0 || box.x >= 100 || box.y >= 100 || box.w <= 0 || box.h <= 0
    || box.x + box.w > 100 + 1e-7 || box.y + box.h > 100 + 1e-7;
}

function draw(stage, index, box) {
  let el = stage.querySelector(`.lay-box[data-row="${index}"]`);
  if (!box) {
    el?.remove();
    return;
  }
  if (!el) {
    el = document.createElement("div");
    el.dataset.row = String(index);
    el.append(document.createElement("span"));
    stage.append(el);
  }
  el.className = `lay-box lay-box--${box.widget}${outside(box) ? " lay-box--bad" : ""}`;
  Object.assign(el.style, { left: `${box.x}%`, top: `${box.y}%`, width: `${box.w}%`, height: `${box.h}%`,
    zIndex: String(index) });
  const label = el.querySelector("span") ?? el.appendChild(document.createElement("span"));
  label.textContent = box.name;
}

export function startPreview(form) {
  const stage = form.querySelector("#layout-preview");
  if (!stage) return null;
  const redraw = () => {
    for (const row of form.querySelectorAll("tr[data-row]")) {
      const removed = row.querySelector("input[name$='.remove']")?.checked;
      draw(stage, row.dataset.row, removed ? null : readRow(row));
    }
    const background = form.querySelector("[data-preview='background']")?.value.trim() ?? "";
    if (/^#[0-9a-fA-F]{6}$/.test(background)) stage.style.background = background;
  };
  form.addEventListener("input", redraw);
  form.addEventListener("change", redraw);
  return redraw;
}

const form = globalThis.document?.getElementById("layout-form");
if (form) startPreview(form);
