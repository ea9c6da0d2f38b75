// Line icons drawn inline (no image files, no icon font): 24×24, stroked in the text colour.
// Every icon is decorative (aria-hidden); the words next to it carry the meaning.

const SVG = "http://www.w3.org/2000/svg";

const SHAPES = {
  jobs: [["rect", { x: 3, y: 7, width: 18, height: 13, rx: 2 }], ["path", { d: "M9 7V5a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2M3 13h18" }]],
  policy: [["path", { d: "M6 3h9l4 4v14H6z" }], ["path", { d: "M14 3v5h5M9 12h7M9 16h7" }]],
  records: [["rect", { x: 3, y: 5, width: 18, height: 14, rx: 2 }], ["circle", { cx: 9, cy: 11, r: 2.2 }],
    ["path", { d: "M5.8 16.5c.6-1.8 1.8-2.7 3.2-2.7s2.6.9 3.2 2.7M14 10h4M14 14h4" }]],
  match: [["circle", { cx: 12, cy: 12, r: 8 }], ["circle", { cx: 12, cy: 12, r: 4 }], ["circle", { cx: 12, cy: 12, r: 0.8 }]],
  training: [["path", { d: "M2 9l10-5 10 5-10 5z" }], ["path", { d: "M6 11v5c3 2.5 9 2.5 12 0v-5M22 9v6" }]],
  ticket: [["path", { d: "M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z" }], ["path", { d: "M14 7v10", "stroke-dasharray": "2 2" }]],
  card: [["rect", { x: 2.5, y: 6, width: 19, height: 12, rx: 2 }], ["path", { d: "M2.5 10h19" }], ["rect", { x: 5, y: 13, width: 4, height: 2.5 }]],
  touch: [["path", { d: "M9 11V5.5a1.5 1.5 0 0 1 3 0V11m0-1.5a1.5 1.5 0 0 1 3 0V11m0-.5a1.5 1.5 0 0 1 3 0V15a6 6 0 0 1-6 6h-1a5 5 0 0 1-4.2-2.3L4 15.5a1.5 1.5 0 0 1 2.4-1.8L9 16" }]],
  qr: [["rect", { x: 3, y: 3, width: 7, height: 7 }], ["rect", { x: 14, y: 3, width: 7, height: 7 }], ["rect", { x: 3, y: 14, width: 7, height: 7 }],
    ["path", { d: "M14 14h3v3h-3zM18 18h3v3h-3zM14 20h2M20 14v2" }]],
  ok: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M7.5 12.5l3 3 6-6.5" }]],
  bad: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M8.5 8.5l7 7M15.5 8.5l-7 7" }]],
  pause: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M10 8.5v7M14 8.5v7" }]],
  none: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M8 12h8" }]],
  warn: [["path", { d: "M12 3l10 18H2z" }], ["path", { d: "M12 10v5M12 17.5v.5" }]],
  info: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M12 11v6M12 7.5v.5" }]],
  back: [["path", { d: "M15 5l-7 7 7 7" }]],
  next: [["path", { d: "M9 5l7 7-7 7" }]],
  home: [["path", { d: "M3 11l9-8 9 8" }], ["path", { d: "M5 10v10h5v-6h4v6h5V10" }]],
  exit: [["path", { d: "M10 4H5v16h5M15 8l4 4-4 4M19 12H9" }]],
  elder: [["path", { d: "M3 19l5-14 5 14M5 14h6M17 8v8M13 12h8" }]],
  lang: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18" }]],
  search: [["circle", { cx: 10.5, cy: 10.5, r: 6.5 }], ["path", { d: "M15.5 15.5L21 21" }]],
  filter: [["path", { d: "M3 5h18l-7 8v6l-4 2v-8z" }]],
  clock: [["circle", { cx: 12, cy: 12, r: 9 }], ["path", { d: "M12 7v5l3 2" }]],
  phone: [["rect", { x: 7, y: 2.5, width: 10, height: 19, rx: 2 }], ["path", { d: "M11 18.5h2" }]],
  lock: [["rect", { x: 5, y: 11, width: 14, height: 10, rx: 2 }], ["path", { d: "M8 11V8a4 4 0 0 1 8 0v3" }]],
  delete: [["path", { d: "M21 5H9l-6 7 6 7h12z" }], ["path", { d: "M12 9l6 6M18 9l-6 6" }]],
  check: [["path", { d: "M5 12.5l4.5 4.5L19 7" }]],
  fair: [["path", { d: "M3 21V9l9-5 9 5v12" }], ["path", { d: "M7 21v-6h10v6M3 21h18M9 11h6" }]],
  guide: [["path", { d: "M5 4h11a3 3 0 0 1 3 3v13H8a3 3 0 0 1-3-3z" }], ["path", { d: "M9 9h6M9 13h6M5 17a3 3 0 0 1 3-3h11" }]],
};

/** An <svg> icon by name, decorative. */
export function icon(name, className = "kicon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `${className} ${className}--${name}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [tag, attrs] of SHAPES[name] || SHAPES.info) {
    const el = document.createElementNS(SVG, tag);
    for (const [attr, value] of Object.entries(attrs)) el.setAttribute(attr, String(value));
    svg.append(el);
  }
  return svg;
}
