// The notice editor's live preview: as the Markdown changes, ask the server for its sanitized HTML.
//
// Progressive enhancement: without this module the form's "preview" button renders the same
// preview on the server. The HTML shown comes from the server's sanitizer (the one the screens
// use), never from the browser's own rendering of what was typed. Words come from the page.

export const DEBOUNCE_MS = 400;

// Calls run(value) once the input has been quiet for `wait` ms; only the latest answer is applied.
export function debounce(run, wait, timers = globalThis) {
  let pending = null;
  return (value) => {
    if (pending !== null) timers.clearTimeout(pending);
    pending = timers.setTimeout(() => {
      pending = null;
      run(value);
    }, wait);
  };
}

export function startPreview(form, { fetchImpl = globalThis.fetch, wait = DEBOUNCE_MS } = {}) {
  const source = form.querySelector("textarea[name=body_markdown]");
  const target = form.querySelector("#preview");
  const state = form.querySelector("#preview-state");
  const url = form.dataset.previewUrl;
  if (!source || !target || !url) return null;
  let asked = 0;
  let shown = 0;

  const say = (key) => {
    if (state) state.textContent = state.dataset[key] || "";
  };

  const render = async (markdown) => {
    const ticket = ++asked;
    try {
      const body = new URLSearchParams({ body_markdown: markdown });
      const response = await fetchImpl(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": form.dataset.csrf || "", Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`preview answered ${response.status}`);
      const { html } = await response.json();
      if (ticket < shown) return; // an older answer arriving late
      shown = ticket;
      if (html) {
        target.innerHTML = html; // sanitized by the server
      } else {
        target.replaceChildren(Object.assign(document.createElement("p"), {
          className: "muted", textContent: target.dataset.empty || "",
        }));
      }
      say("live");
      form.dataset.previewed = String(ticket);
    } catch {
      say("failed");
    }
  };

  const later = debounce(render, wait);
  source.addEventListener("input", () => later(source.value));
  say("live");
  return { render };
}

const form = typeof document !== "undefined" ? document.querySelector("form.notice-editor") : null;
if (form) startPreview(form);
