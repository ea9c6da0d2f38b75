// Playlist entries reordered by dragging a handle, by 上移/下移 buttons, or by Alt+↑/↓.
//
// Progressive enhancement over the playlist form (docs/console.md, "Ordering a playlist"): the
// "order" number fields stay what is saved. A move reorders the table's rows and writes 1, 2, 3 …
// into those fields in the rows' new order; without this script the numbers are typed by hand.

/** ``template`` with each {name} replaced by ``params[name]`` (the console's words, sent by the server). */
function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(params[key] ?? ""));
}

class Order {
  constructor(table, words, status) {
    this.table = table;
    this.body = table.tBodies[0];
    this.words = words;
    this.status = status;
    this.drag = null;
  }

  rows() {
    return [...this.body.querySelectorAll("tr[data-row]")];
  }

  /** A row and the row of its error messages under it, if any: they move together. */
  group(row) {
    const next = row.nextElementSibling;
    return next && next.classList.contains("lay-rows__errors") ? [row, next] : [row];
  }

  start() {
    for (const row of this.rows()) this.enhance(row);
    this.body.addEventListener("keydown", (e) => this.key(e));
    this.body.addEventListener("pointermove", (e) => this.dragTo(e));
    this.body.addEventListener("pointerup", (e) => this.drop(e));
    this.body.addEventListener("pointercancel", (e) => this.drop(e));
  }

  enhance(row) {
    const n = Number(row.dataset.row) + 1;
    const tools = document.createElement("span");
    tools.className = "order";
    const button = (cls, text, label) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = cls;
      b.textContent = text;
      b.setAttribute("aria-label", label);
      tools.append(b);
      return b;
    };
    const handle = button("order__handle", "⋮⋮", fill(this.words.handle, { n }));
    handle.tabIndex = -1; // the buttons beside it do the same from the keyboard
    button("order__up", this.words.up, fill(this.words.up_label, { n })).addEventListener("click", () => this.step(row, -1));
    button("order__down", this.words.down, fill(this.words.down_label, { n }))
      .addEventListener("click", () => this.step(row, 1));
    handle.addEventListener("pointerdown", (e) => this.grab(e, row));
    row.querySelector("th").prepend(tools);
  }

  /** Write 1, 2, 3 … into the order fields in the rows' present order, and name each row by its place. */
  renumber() {
    this.rows().forEach((row, k) => {
      const input = row.querySelector("input[name$='.position']");
      if (input) input.value = String(k + 1);
      this.relabel(row, k + 1);
    });
  }

  /** "第3项" becomes "第1项" in the row's heading and its controls' names, so what is read matches the place. */
  relabel(row, n) {
    const th = row.querySelector("th");
    const old = row.dataset.label ?? [...th.childNodes].find((x) => x.nodeType === 3 && x.textContent.trim())
      ?.textContent.trim();
    const label = fill(this.words.entry, { n });
    if (!old || old === label) return;
    for (const node of th.childNodes) {
      if (node.nodeType === 3 && node.textContent.trim() === old) node.textContent = label;
    }
    for (const el of row.querySelectorAll("[aria-label]")) {
      el.setAttribute("aria-label", el.getAttribute("aria-label").replace(old, label));
    }
    row.dataset.label = label;
  }

  announce(row) {
    const rows = this.rows();
    // the blank rows offered under the entries are not entries (the server drops them unless filled)
    const filled = rows.filter((r) => r.querySelector("select[name$='.kind']")?.value !== "item"
      || r.querySelector("select[name$='.item']")?.value).length;
    const position = rows.indexOf(row) + 1;
    this.status.textContent = fill(this.words.moved, { position, count: Math.max(filled, position) });
  }

  step(row, by) {
    const rows = this.rows();
    const at = rows.indexOf(row);
    const other = rows[at + by];
    if (!other) return;
    const moving = this.group(row);
    const focused = row.contains(document.activeElement) ? document.activeElement : null;
    if (by < 0) other.before(...moving);
    else this.group(other).at(-1).after(...moving);
    focused?.focus(); // moving a node drops its focus: keep it on the button pressed
    this.renumber();
    this.announce(row);
  }

  key(event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const row = event.target.closest("tr[data-row]");
    if (!row) return;
    event.preventDefault();
    this.step(row, event.key === "ArrowUp" ? -1 : 1);
  }

  grab(event, row) {
    if (event.button !== 0) return;
    event.preventDefault();
    this.drag = { row, pointer: event.pointerId };
    this.body.setPointerCapture(event.pointerId);
    row.classList.add("order--dragging");
  }

  dragTo(event) {
    if (!this.drag) return;
    const { row } = this.drag;
    const others = this.rows().filter((r) => r !== row);
    const before = others.find((r) => {
      const rect = r.getBoundingClientRect();
      return event.clientY < rect.top + rect.height / 2;
    });
    const moving = this.group(row);
    if (before) {
      if (moving.at(-1).nextElementSibling !== before) before.before(...moving);
    } else {
      const last = this.group(others.at(-1)).at(-1);
      if (last.nextElementSibling !== moving[0]) last.after(...moving);
    }
  }

  drop(event) {
    if (!this.drag) return;
    const { row } = this.drag;
    this.drag = null;
    this.body.releasePointerCapture?.(event.pointerId);
    row.classList.remove("order--dragging");
    this.renumber();
    this.announce(row);
  }
}

/** Start ordering by drag on the playlist form's entry table (not when it is read-only); returns it. */
export function startOrder(doc) {
  const table = doc.getElementById("entries");
  const holder = doc.getElementById("playlist-order");
  if (!table || !holder || table.closest("fieldset")?.disabled) return null;
  holder.hidden = false;
  const order = new Order(table, JSON.parse(holder.dataset.words), doc.getElementById("playlist-order-status"));
  order.start();
  return order;
}

if (globalThis.document) startOrder(globalThis.document);
