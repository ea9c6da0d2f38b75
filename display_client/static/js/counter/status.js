// The status line under the buttons: what the last action did, or why it did not. Its kind is
// shown by a symbol and a border as well as a colour. An action that could not be sent keeps its
// message and a 重试 button until it is retried or another action succeeds.

const ICONS = { info: "ℹ", ok: "✓", error: "⚠", busy: "…" };

export class StatusLine {
  constructor(node) {
    this.node = node;
    this.kind = node.dataset.kind || "info";
    this.text = "";
    this.retry = node.querySelector(".cstatus__retry");
    this.onRetry = null;
    if (this.retry) this.retry.addEventListener("click", () => this.onRetry && this.onRetry());
  }

  /** Show `text` as `kind`; with `onRetry`, also the 重试 button that calls it. */
  show(kind, text, onRetry = null) {
    this.kind = kind;
    this.text = text;
    this.onRetry = onRetry;
    if (this.retry) this.retry.hidden = !onRetry;
    this.node.dataset.kind = kind;
    this.node.dataset.retry = onRetry ? "true" : "false";
    this.node.querySelector(".cstatus__icon").textContent = ICONS[kind] || ICONS.info;
    this.node.querySelector(".cstatus__text").textContent = text;
  }
}
