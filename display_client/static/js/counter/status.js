// The status line under the buttons: what the last action did, or why it did not. Its kind is
// shown by a symbol and a border as well as a colour.

const ICONS = { info: "ℹ", ok: "✓", error: "⚠", busy: "…" };

export class StatusLine {
  constructor(node) {
    this.node = node;
    this.kind = node.dataset.kind || "info";
    this.text = "";
  }

  show(kind, text) {
    this.kind = kind;
    this.text = text;
    this.node.dataset.kind = kind;
    this.node.querySelector(".cstatus__icon").textContent = ICONS[kind] || ICONS.info;
    this.node.querySelector(".cstatus__text").textContent = text;
  }
}
