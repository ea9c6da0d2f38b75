// Connection indicator: a small dot in a corner. Green online, amber connecting, red offline;
// the wall keeps playing either way, so this is for a technician's glance, not for the public.

export class ConnectionDot {
  constructor(el, i18n) {
    this.el = el;
    this.i18n = i18n;
    this.el.classList.add("connection");
    this.el.setAttribute("role", "status");
    this.set("connecting");
  }

  set(status) {
    if (this.el.dataset.state === status) return;
    this.el.dataset.state = status;
    const label = this.i18n.t(`connection.${status}`);
    this.el.setAttribute("aria-label", label);
    this.el.title = label;
  }
}
