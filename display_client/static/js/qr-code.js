// A QR code drawn from the rows of modules the server sends ("1" dark, "0" light), as one SVG path:
// no network call and no library, so a guide's online link shows offline from the cached manifest.

const SVG = "http://www.w3.org/2000/svg";
const QUIET = 4; // modules of light margin around the code, as scanners expect

/** An <svg> of the code, or null when there are no rows. label: what a screen reader says. */
export function qrSvg(rows, label = "") {
  if (!Array.isArray(rows) || rows.length === 0) return null;
  const size = rows.length + QUIET * 2;
  let d = "";
  rows.forEach((row, y) => {
    const text = String(row);
    for (let x = 0; x < text.length; x += 1) {
      if (text[x] !== "1") continue;
      let run = 1; // one path segment per run of dark modules
      while (text[x + run] === "1") run += 1;
      d += `M${x + QUIET} ${y + QUIET}h${run}v1h-${run}z`;
      x += run - 1;
    }
  });
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("role", "img");
  if (label) svg.setAttribute("aria-label", label);
  const back = document.createElementNS(SVG, "rect");
  back.setAttribute("width", String(size));
  back.setAttribute("height", String(size));
  back.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(back, path);
  return svg;
}
