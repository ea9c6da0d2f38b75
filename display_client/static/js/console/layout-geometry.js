// The layout designer's geometry: snapping to the 1 % grid and to edges, overlaps, keeping boxes on
// the screen, and whether a region holds one line of the smallest text. Pure functions over boxes
// {x, y, w, h} in percentages of the screen (layout-designer.js draws and listens); and ``fill``,
// which puts numbers into the console's words the server sent.

const SNAP_REACH = 1; // % of the screen: an edge this close to another edge lands on it
const MIN_SIZE = 1; // %: a region is never drawn smaller

/** ``template`` with each {name} replaced by ``params[name]`` (the console's words, sent by the server). */
export function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(params[key] ?? ""));
}

/** Round to hundredths of a percent, so a dragged value reads like a typed one. */
export function tidy(value) {
  return Math.round(value * 100) / 100;
}

/** The nearest of ``targets`` within ``reach`` of ``value`` as {value, distance}, or null. */
export function nearest(value, targets, reach = SNAP_REACH) {
  let best = null;
  for (const target of targets) {
    const distance = Math.abs(target - value);
    if (distance <= reach && (best === null || distance < best.distance)) best = { value: target, distance };
  }
  return best;
}

/** One edge snapped: onto a nearby edge of ``targets`` if any, otherwise onto the 1 % grid. */
export function snapEdge(value, targets) {
  const near = nearest(value, targets);
  return near ? near.value : Math.round(value);
}

/** A span [start, start + size] moved to ``start``, snapped by whichever of its two edges lands closer. */
export function snapSpan(start, size, targets) {
  const a = nearest(start, targets);
  const b = nearest(start + size, targets);
  if (a && (!b || a.distance <= b.distance)) return a.value;
  if (b) return b.value - size;
  return Math.round(start);
}

/** Whether two boxes share some area (touching edges do not count). */
export function overlapping(a, b) {
  const across = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const down = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return across > 1e-6 && down > 1e-6;
}

/** Keep a box on the screen and at least MIN_SIZE big. */
export function clampBox(box) {
  const w = Math.min(100, Math.max(MIN_SIZE, box.w));
  const h = Math.min(100, Math.max(MIN_SIZE, box.h));
  return { x: Math.min(100 - w, Math.max(0, box.x)), y: Math.min(100 - h, Math.max(0, box.y)), w, h };
}

/** A box resized from its top-left corner, kept on the screen without moving that corner. */
export function resized(box, w, h) {
  return clampBox({ x: box.x, y: box.y, w: Math.min(w, 100 - box.x), h: Math.min(h, 100 - box.y) });
}

/** Whether a region cannot hold one line of the smallest text on ``profile`` (layout_fit.small_regions). */
export function tooSmall(box, profile) {
  const line = profile.line_px[box.widget];
  if (!line) return false;
  return (box.h / 100) * profile.height < profile.line_height * line
    || (box.w / 100) * profile.width < profile.characters * line;
}
