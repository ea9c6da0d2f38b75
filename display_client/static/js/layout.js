// Layout: the regions of a layout, absolutely positioned by fraction of the screen
// (left = x × 100 % …), so one layout fits 1920×1080, 3840×1080 and a small LED panel alike.

import { h } from "./_dom.js";

export const WIDGETS = ["playlist", "ticker", "clock", "header", "queue"];

function percent(value, fallback) {
  const n = Number(value);
  // Rounded so 0.1 gives "10%", not "10.000000000000002%": the same layout, the same style text.
  return `${Number(((Number.isFinite(n) ? n : fallback) * 100).toFixed(4))}%`;
}

/** The CSS geometry of a region from its fractions. */
export function regionStyle(region) {
  const z = Number.isInteger(region.z) ? region.z : 0;
  return {
    left: percent(region.x, 0),
    top: percent(region.y, 0),
    width: percent(region.w, 1),
    height: percent(region.h, 1),
    zIndex: String(z),
  };
}

/** The widget of a region, playlist when unknown. */
export function widgetOf(region) {
  return WIDGETS.includes(region.widget) ? region.widget : "playlist";
}

/**
 * The stage: one element per region, reconciled by region name so rendering the same layout
 * twice leaves the DOM as it was, and a region that stays keeps its player (and what it shows).
 */
export class Stage {
  /** createWidget(widget, regionEl) returns a component with update(ctx) and destroy(). */
  constructor(el, createWidget) {
    this.el = el;
    this.el.classList.add("stage");
    this.createWidget = createWidget;
    this.regions = new Map(); // name → {el, widget, component}
    this.background = null;
  }

  /** Reconcile with `layout`; returns the regions in paint order. */
  render(layout) {
    const background = typeof layout.background === "string" ? layout.background : "";
    if (background !== this.background) {
      this.background = background;
      this.el.style.background = background;
    }
    const wanted = (Array.isArray(layout.regions) ? layout.regions : [])
      .filter((r) => r && typeof r.name === "string")
      .sort((a, b) => (a.z ?? 0) - (b.z ?? 0));
    const names = new Set(wanted.map((r) => r.name));
    for (const [name, region] of this.regions) {
      if (!names.has(name)) {
        region.component.destroy();
        region.el.remove();
        this.regions.delete(name);
      }
    }
    const ordered = [];
    for (const spec of wanted) {
      const widget = widgetOf(spec);
      let region = this.regions.get(spec.name);
      if (region && region.widget !== widget) {
        region.component.destroy();
        region.el.remove();
        region = null;
      }
      if (!region) {
        const el = h("section", { class: `region region--${widget}`, data: { region: spec.name } });
        this.el.append(el);
        region = { el, widget, component: this.createWidget(widget, el) };
        this.regions.set(spec.name, region);
      }
      const style = regionStyle(spec);
      for (const [prop, value] of Object.entries(style)) {
        if (region.el.style[prop] !== value) region.el.style[prop] = value;
      }
      ordered.push({ name: spec.name, ...region });
    }
    return ordered;
  }

  /** Remove every region (the idle view takes over). */
  clear() {
    for (const region of this.regions.values()) {
      region.component.destroy();
      region.el.remove();
    }
    this.regions.clear();
  }
}
