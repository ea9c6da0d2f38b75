// The vacancy form's occupation picker (kiosk_server/templates/console/vacancy_form.html): search the
// GB/T 6565 table embedded as JSON (#occupation-codes, from content/library/occupations.py) by part of
// the name (快递), pinyin initials (kdy) or the start of the code (4-02), and put the chosen code into
// the occupation code field. A combobox with a listbox (arrow keys, Enter, Escape); text goes in as text.
// Without scripts the picker stays hidden and the code is typed.

const MOST = 20;

function search(table, query) {
  const text = query.trim().toLowerCase();
  if (!text) return [];
  const byName = table.filter((o) => o.name.includes(text));
  const byInitials = table.filter((o) => o.initials.startsWith(text) && !byName.includes(o));
  const byCode = table.filter((o) => o.code.startsWith(text) && !byName.includes(o) && !byInitials.includes(o));
  return [...byName, ...byInitials, ...byCode].slice(0, MOST);
}

function start(box, table, codeField) {
  const input = box.querySelector("input[role=combobox]");
  const list = box.querySelector("[role=listbox]");
  const status = box.querySelector("[data-occupation-status]");
  const byCode = new Map(table.map((o) => [o.code, o]));
  let found = [];
  let active = -1;

  function showChosen() {
    const chosen = byCode.get(codeField.value.trim());
    status.textContent = chosen
      ? box.dataset.chosen.replace("{code}", chosen.code).replace("{name}", chosen.name)
      : "";
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((li, n) => li.setAttribute("aria-selected", String(n === index)));
    if (index >= 0) {
      const li = list.children[index];
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    const picked = found[index];
    if (!picked) return;
    codeField.value = picked.code;
    codeField.dispatchEvent(new Event("input", { bubbles: true }));
    input.value = picked.name;
    close();
    showChosen();
  }

  function render() {
    found = search(table, input.value);
    const items = found.map((o, n) => {
      const li = document.createElement("li");
      li.id = `f-occupation-option-${n}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.code = o.code;
      const code = document.createElement("code");
      code.textContent = o.code;
      const name = document.createElement("span");
      name.textContent = o.name;
      li.append(code, name);
      li.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
      li.addEventListener("click", () => choose(n));
      return li;
    });
    list.replaceChildren(...items);
    const open = input.value.trim() !== "";
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (open) {
      status.textContent = items.length
        ? box.dataset.count.replace("{count}", String(items.length))
        : box.dataset.none;
    } else {
      showChosen();
    }
  }

  input.addEventListener("input", render);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      if (list.hidden) render();
      mark(Math.min(found.length - 1, active + 1));
    } else if (event.key === "ArrowUp" && found.length) {
      event.preventDefault();
      mark(Math.max(0, active - 1));
    } else if (event.key === "Enter" && !list.hidden) {
      event.preventDefault(); // choosing is not sending the form
      choose(active >= 0 ? active : 0);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  codeField.addEventListener("change", showChosen);
  box.hidden = false;
  showChosen();
}

const box = document.querySelector("[data-occupation-picker]");
const data = document.getElementById("occupation-codes");
const codeField = document.getElementById("f-occupation_code");
if (box && data && codeField) start(box, JSON.parse(data.textContent), codeField);
