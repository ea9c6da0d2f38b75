// The pause dialog (暂停服务): choose a reason (休息, 业务培训, 系统故障, or 其他 with a text of at
// most 60 characters) and confirm. A native modal <dialog>: it traps the focus, Esc closes it.

export class PauseDialog {
  constructor(dialog, { t, onChoose }) {
    this.dialog = dialog;
    this.t = t;
    this.onChoose = onChoose;
    this.form = dialog.querySelector("form");
    this.other = dialog.querySelector("#pause-other");
    this.error = dialog.querySelector("#pause-error");
    dialog.querySelector("[data-close]").addEventListener("click", () => this.close());
    this.form.addEventListener("change", () => this.sync());
    this.other.addEventListener("input", () => {
      this.error.hidden = true;
      if (this.other.value) this.form.elements.reason.value = "other";
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  get isOpen() {
    return this.dialog.open;
  }

  open() {
    this.form.reset();
    this.error.hidden = true;
    this.sync();
    this.dialog.showModal();
    this.form.querySelector("input[name=reason]:checked").focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  sync() {
    const other = this.form.elements.reason.value === "other";
    this.other.required = other;
    this.other.setAttribute("aria-invalid", "false");
  }

  submit() {
    const reason = this.form.elements.reason.value;
    const other = this.other.value.trim();
    if (reason === "other" && !other) {
      this.error.textContent = this.t("pause.other.required");
      this.error.hidden = false;
      this.other.setAttribute("aria-invalid", "true");
      this.other.focus();
      return;
    }
    const label = reason === "other" ? other : this.t(`pause.reason.${reason}`);
    this.close();
    this.onChoose(reason, reason === "other" ? other : "", label);
  }
}
