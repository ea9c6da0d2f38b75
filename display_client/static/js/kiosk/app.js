// The kiosk's touch UI over the attract loop (docs/kiosk.md §3).
//
// The wall player keeps playing the kiosk's manifest underneath: that is the attract loop. This
// module draws the prompts over it, and on a touch the self-service screens. It learns about
// citizen sessions from the wall's socket (bridge.js) and talks to /kiosk/api (api.js).
//
// Personal data lives in memory only: the token and the answers are dropped when the session ends
// (card removed, 结束, idle timeout, server ending it, link lost), and every async answer is checked
// against the screen it was asked for and the session generation before it may touch the DOM. The
// page never pushes history entries, so Back cannot return to a personal screen.

import { h } from "../_dom.js";
import {
  CITIZEN_CARD_REMOVED, CITIZEN_CARD_UNREADABLE, CITIZEN_SESSION, CITIZEN_SESSION_ENDED, CITIZEN_SESSION_REFUSED,
  WELCOME,
} from "../events.js";
import { ApiError, KioskApi } from "./api.js";
import { SOCKET_EVENT, STATUS_EVENT } from "./bridge.js";
import { navButtons, toggleButtons, whoBanner } from "./chrome.js";
import { Citizen, NEW } from "./citizen.js";
import { Countdown } from "./countdown.js";
import { MessageDialog } from "./dialog.js";
import { failure } from "./errors.js";
import { IdleTimer, PUBLIC_IDLE_SECONDS } from "./idle.js";
import { CardNote, readerNote, unreadableNote } from "./note.js";
import { attractNodes } from "./screens/attract.js";
import { certificateScreen } from "./screens/certificate.js";
import { guideScreen } from "./screens/guide.js";
import { guidesScreen } from "./screens/guides.js";
import { homeScreen } from "./screens/home.js";
import { jobScreen } from "./screens/job.js";
import { jobsScreen } from "./screens/jobs.js";
import { matchesScreen } from "./screens/matches.js";
import { needsCardScreen } from "./screens/needs-card.js";
import { policiesScreen } from "./screens/policies.js";
import { policyScreen } from "./screens/policy.js";
import { queueScreen } from "./screens/queue.js";
import { recordsScreen } from "./screens/records.js";
import { courseScreen } from "./screens/course.js";
import { trainingScreen } from "./screens/training.js";
import { fairScreen } from "./screens/fair.js";
import { fairsScreen } from "./screens/fairs.js";
import { pickFrom } from "./sheet.js";
import { createKioskI18n } from "./strings.js";
import { CARD_SOURCES, LEFT_BEHIND_REASONS, TakeCardReminder } from "./take-card.js";

const SCREENS = {
  home: homeScreen,
  jobs: jobsScreen,
  job: jobScreen,
  policies: policiesScreen,
  policy: policyScreen,
  guides: guidesScreen,
  guide: guideScreen,
  needsCard: needsCardScreen,
  records: recordsScreen,
  matches: matchesScreen,
  certificate: certificateScreen,
  queue: queueScreen,
  training: trainingScreen,
  course: courseScreen,
  fairs: fairsScreen, // job fairs
  fair: fairScreen,
};
const PERSONAL = new Set(["records", "matches", "certificate"]);
const REFUSALS = ["invalid_identity", "unknown_person", "token_expired", "token_invalid", "backend_unavailable"];
const DEFAULT_LANG = "zh-CN";
// The hall's zone until welcome names it (the default of every hall: docs/architecture.md, "Priority layers").
const DEFAULT_TIME_ZONE = "Asia/Shanghai";
const TOUCH_EVERY_MS = 10_000; // docs/kiosk.md §2: touch at most every 10 s
// After a screen change the new screen ignores taps this long: the second tap of a double tap
// would otherwise land on whatever the new screen has under the finger.
const SETTLE_MS = 350;
const ROWS = 6;
const ELDER_ROWS = 3;

export class KioskApp {
  constructor(el, wallRoot) {
    this.el = el;
    this.wallRoot = wallRoot;
    this.api = new KioskApi({ screenKey: wallRoot.dataset.screenKey || "" });
    this.citizen = new Citizen();
    this.offset = 0; // server clock minus ours, from welcome
    this.timeZone = DEFAULT_TIME_ZONE; // the hall's, from welcome: every time on the kiosk is the hall's
    this.lang = DEFAULT_LANG;
    this.elder = false;
    this.i18n = createKioskI18n(this.lang);
    this.mode = "attract";
    this.view = null; // {name, params, instance, abort, generation, view}
    this.stack = []; // in-app Back, in memory only
    this.instance = 0;
    this.settleTimer = null;
    this.lastTouch = this.serverNow();
    this.lastTouchSent = -Infinity;

    this.attractEl = h("section", { class: "kattract" });
    this.titleEl = h("h1", { class: "kbar__title" });
    this.barTogglesEl = h("div", { class: "kbar__toggles" });
    this.whoEl = h("section", { class: "kwho", hidden: true });
    this.mainEl = h("main", { class: "kmain", id: "kiosk-main" });
    this.navEl = h("nav", { class: "knav" });
    this.uiEl = h("div", { class: "kui", hidden: true },
      h("header", { class: "kbar" }, this.titleEl, this.barTogglesEl), this.whoEl, this.mainEl, this.navEl);
    this.sheetEl = h("div", { class: "ksheet-layer", hidden: true });
    const dialogEl = h("div", { class: "kdialog-layer" });
    const countEl = h("div", { class: "kcount-layer" });
    const noteEl = h("div", { class: "knote-layer" });
    const takeCardEl = h("div", { class: "ktakecard-layer" });
    el.replaceChildren(this.attractEl, this.uiEl, this.sheetEl, dialogEl, noteEl, takeCardEl, countEl);
    this.dialog = new MessageDialog(dialogEl);
    this.note = new CardNote(noteEl);
    this.takeCard = new TakeCardReminder(takeCardEl);
    // The attract band is reserved below the wall's content, never laid over it (kiosk.css, "attract loop").
    this.bandObserver = typeof ResizeObserver === "function" ? new ResizeObserver(() => this.reserveBand()) : null;
    this.countdown = new Countdown(countEl, { onContinue: () => this.keepUsing(), onEnd: () => this.finish() });

    this.idle = new IdleTimer({
      now: () => this.serverNow(),
      deadline: () => this.deadline(),
      onWarn: (seconds) => this.countdown.show(this.t, seconds, this.citizen.open),
      onCalm: () => this.countdown.hide(),
      onExpire: () => this.expire(),
    });

    wallRoot.addEventListener(SOCKET_EVENT, (event) => this.onSocket(event.detail || {}));
    wallRoot.addEventListener(STATUS_EVENT, (event) => this.onStatus((event.detail || {}).status));
    el.addEventListener("pointerdown", () => this.activity(), { capture: true });
    el.addEventListener("keydown", () => this.activity(), { capture: true });
    // Leaving the page (reload, navigation, bfcache) takes every personal thing with it.
    window.addEventListener("pagehide", () => this.leave());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.leave();
    });
    this.watchEmergencies();
    this.attract();
    this.idle.start();
    setTimeout(() => this.retitle(), 0); // after the wall player has named the page
  }

  retitle() {
    document.title = this.t("app.label");
  }

  get t() {
    return this.i18n.t;
  }

  serverNow() {
    return Date.now() + this.offset;
  }

  // -- the socket (through the wall player) -------------------------------------------------------

  onSocket({ name, data, receivedAt }) {
    if (name === WELCOME) {
      const server = Date.parse(data && data.server_time);
      if (Number.isFinite(server)) this.offset = server - (receivedAt || Date.now());
      const hall = data && data.screen && data.screen.hall;
      if (hall && typeof hall.timezone === "string" && hall.timezone) this.timeZone = hall.timezone;
    } else if (name === CITIZEN_SESSION) {
      this.sessionOpened(data);
    } else if (name === CITIZEN_SESSION_ENDED) {
      const reason = data ? data.reason : undefined;
      const source = this.citizen.current ? this.citizen.current.source : null;
      if (this.citizen.end(data ? data.session_id : undefined)) this.sessionEnded(reason, source);
      // The page may have ended it first (结束) and asked for the card, which then left before the server heard 结束.
      else if (reason === "card_removed") this.takeCard.hide("removed");
    } else if (name === CITIZEN_CARD_REMOVED) {
      this.takeCard.hide("removed");
    } else if (name === CITIZEN_SESSION_REFUSED) {
      this.refused(data);
    } else if (name === CITIZEN_CARD_UNREADABLE) {
      this.unreadable(data);
    }
  }

  onStatus(status) {
    this.el.dataset.conn = status || "";
    // Without the link the page would not hear the card leave: a personal screen must not outlive it.
    if (status !== "online" && this.citizen.open) {
      this.citizen.end();
      this.wipe();
      this.home();
      this.message({ kind: "warn", name: "offline", title: this.t("offline.title"), body: this.t("offline.body") });
    }
  }

  sessionOpened(payload) {
    const id = payload && payload.session_id !== undefined ? String(payload.session_id) : null;
    if (id !== null && id === this.citizen.id) {
      this.citizen.take(payload, this.serverNow()); // the same person, a fresh token (page reconnected)
      return;
    }
    // Somebody new: nothing of the previous person may stay on screen, not even for a frame.
    this.note.hide(); // a card was read: whatever the last attempt said is over
    this.takeCard.hide("card");
    const waiting = this.view && this.view.name === "needsCard" ? this.view.params.target : null;
    const hadSomeone = this.citizen.open;
    this.citizen.end();
    this.wipe();
    if (this.citizen.take(payload, this.serverNow()) !== NEW) {
      this.attract();
      return;
    }
    if (hadSomeone) this.setModes({ elder: false, lang: DEFAULT_LANG });
    this.lastTouch = this.serverNow();
    this.lastTouchSent = Date.now(); // opening the session was activity on the server
    this.stack = [];
    if (waiting) {
      this.stack = [{ name: "home", params: {} }];
      this.render(waiting, {});
    } else {
      this.render("home", {});
    }
  }

  /**
   * The session ended: back to the attract loop, unless the screen shows nothing of the person (a
   * ticket just taken). When its reader went, the citizen is told so, in the words and size they had.
   */
  sessionEnded(reason, source = null) {
    const note = readerNote(reason);
    const shown = { t: this.t, lang: this.lang, elder: this.elder };
    const leftBehind = LEFT_BEHIND_REASONS.includes(reason);
    const record = this.view;
    if (record && record.view && record.view.outlivesSession) {
      record.generation = this.citizen.generation;
      this.renderChrome();
    } else {
      this.attract();
    }
    if (note) {
      this.takeCard.hide("reader");
      this.note.show(shown.t, note, shown);
    }
    if (leftBehind) this.askForCard(source, shown);
  }

  /** The session ended with its card still in the reader: 请取走您的证件, in the citizen's words and size. */
  askForCard(source, { t, lang, elder }) {
    if (CARD_SOURCES.includes(source)) this.takeCard.show(t, { source, lang, elder });
  }

  /** What the citizen was using, before the page resets it: for words said after the session. */
  shown() {
    return { t: this.t, lang: this.lang, elder: this.elder, source: this.citizen.current ? this.citizen.current.source : null };
  }

  /** A reader saw a card it could not read: say so over whatever shows, without taking the page. */
  unreadable(payload) {
    this.note.show(this.t, unreadableNote(payload), { lang: this.lang, elder: this.elder });
  }

  refused(payload) {
    this.note.hide(); // this card was read: what the last attempt said is over
    this.takeCard.hide("card");
    if (this.citizen.open) return; // a stray read while someone is served: leave their screen alone
    const code = payload && REFUSALS.includes(payload.error) ? payload.error : "invalid_identity";
    if (this.mode === "attract") this.home();
    this.message({ kind: "warn", name: "refused", title: this.t("refused.title"), body: this.t(`refused.${code}`) });
  }

  // -- activity and idle --------------------------------------------------------------------------

  activity() {
    this.lastTouch = this.serverNow();
    if (this.citizen.open && Date.now() - this.lastTouchSent >= TOUCH_EVERY_MS) this.sendTouch();
  }

  sendTouch() {
    this.lastTouchSent = Date.now();
    const generation = this.citizen.generation;
    this.citizen.activity(this.serverNow()); // the server moves the expiry the same way
    this.personalCall("POST", "/session/touch").then(
      (out) => {
        if (out && generation === this.citizen.generation) this.citizen.expires(out.expires_at);
      },
      (err) => {
        if (generation !== this.citizen.generation) return;
        if (err.status === 401) {
          this.citizen.end();
          this.attract();
        }
      },
    );
  }

  keepUsing() {
    this.lastTouch = this.serverNow();
    if (this.citizen.open && Date.now() - this.lastTouchSent > 1000) this.sendTouch();
    this.countdown.hide();
  }

  deadline() {
    if (this.mode === "attract") return null;
    if (this.citizen.open) return this.citizen.current.expiresAt;
    return this.lastTouch + PUBLIC_IDLE_SECONDS * 1000;
  }

  expire() {
    const shown = this.shown();
    const had = this.citizen.end(); // the server ends it too (timeout); nothing to wait for
    this.attract();
    if (had) this.askForCard(shown.source, shown);
  }

  /** 结束: clear at once, then tell the server. */
  finish() {
    const token = this.citizen.token;
    const shown = this.shown();
    const had = this.citizen.end();
    this.attract();
    if (had) this.askForCard(shown.source, shown);
    if (had && token) this.api.post("/session/finish", { token }).catch(() => {});
  }

  leave() {
    this.citizen.end();
    this.attract();
  }

  // -- screens ------------------------------------------------------------------------------------

  /** The attract loop: the wall's content with the prompts; every mode back to its default. */
  attract() {
    this.disposeView();
    this.wipe();
    this.stack = [];
    this.mode = "attract";
    this.setModes({ elder: false, lang: DEFAULT_LANG });
    this.uiEl.hidden = true;
    this.attractEl.hidden = false;
    this.el.dataset.screen = "attract";
    document.documentElement.classList.remove("kiosk-ui");
    document.documentElement.classList.add("kiosk-attract");
    this.wallRoot.removeAttribute("aria-hidden");
    this.wallRoot.inert = false;
    this.renderAttract();
    this.forgetHistory();
  }

  renderAttract() {
    this.attractEl.setAttribute("aria-label", this.t("app.label"));
    this.attractEl.replaceChildren(...attractNodes(this.t, {
      toggles: this.toggles(true),
      onStart: () => {
        this.lastTouch = this.serverNow();
        this.home();
      },
    }));
    if (this.bandObserver) {
      this.bandObserver.disconnect();
      const band = this.attractEl.querySelector(".kattract__band");
      if (band) this.bandObserver.observe(band);
    }
    this.reserveBand();
  }

  /** The wall underneath ends where the attract band begins: `--kiosk-attract-band` is the band's height. */
  reserveBand() {
    const band = this.mode === "attract" ? this.attractEl.querySelector(".kattract__band") : null;
    const height = band ? Math.ceil(band.getBoundingClientRect().height) : 0;
    document.documentElement.style.setProperty("--kiosk-attract-band", `${height}px`);
  }

  home() {
    this.stack = [];
    this.render("home", {});
  }

  /** A tap asking for a screen: personal ones without a session ask for a card first. */
  navigate(name, params = {}) {
    if (PERSONAL.has(name) && !this.citizen.open) {
      this.push();
      this.render("needsCard", { target: name });
      return;
    }
    this.push();
    this.render(name, params);
  }

  push() {
    if (this.view && this.view.name !== "needsCard") this.stack.push({ name: this.view.name, params: this.view.params });
  }

  back() {
    while (this.stack.length) {
      const previous = this.stack.pop();
      if (PERSONAL.has(previous.name) && !this.citizen.open) continue;
      this.render(previous.name, previous.params);
      return;
    }
    this.home();
  }

  render(name, params) {
    if (PERSONAL.has(name) && !this.citizen.open) {
      params = { target: name };
      name = "needsCard";
    }
    this.disposeView();
    this.openUi();
    const record = { name, params: { ...params }, instance: ++this.instance, abort: new AbortController(),
                     generation: this.citizen.generation, view: null };
    this.view = record;
    let view;
    try {
      view = SCREENS[name](this.context(record), record.params);
    } catch (err) {
      console.error("kiosk: screen failed", name, err);
      if (name !== "home") {
        this.home();
        return;
      }
      view = { node: h("div"), title: this.t("home.title") };
    }
    record.view = view;
    this.titleEl.textContent = view.title || "";
    this.mainEl.replaceChildren(view.node);
    this.mainEl.scrollTop = 0;
    this.el.dataset.screen = name;
    this.renderChrome();
    this.settle();
    this.forgetHistory();
  }

  settle() {
    this.uiEl.classList.add("kui--settling");
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.uiEl.classList.remove("kui--settling"), SETTLE_MS);
  }

  rerender() {
    if (this.mode === "attract") this.renderAttract();
    else if (this.view) this.render(this.view.name, this.view.params);
  }

  context(record) {
    const app = this;
    const t = this.t;
    const alive = () => app.view === record && record.generation === app.citizen.generation;
    // Answers for a screen that is gone, or for a person who is gone, are dropped: never shown.
    const guard = (promise) => new Promise((resolve) => {
      promise.then((value) => {
        if (alive()) resolve(value);
      }, (err) => {
        if (alive()) app.fail(err);
      });
    });
    const c = this.citizen.current;
    return {
      t,
      lang: this.lang,
      elder: this.elder,
      timeZone: this.timeZone,
      rows: this.elder ? ELDER_ROWS : ROWS,
      api: this.api,
      citizen: c ? { maskedName: c.maskedName, maskedId: c.maskedId, source: c.source } : null,
      go: (name, params) => app.navigate(name, params),
      personal: (name) => app.navigate(name, {}),
      remember(state) {
        if (alive()) record.params = { ...record.params, ...state };
      },
      load: (fn) => guard(Promise.resolve().then(() => fn(record.abort.signal))),
      personalGet: (path, params) => guard(app.personalCall("GET", path, params, record.abort.signal)),
      // A POST with a JSON body (`personal` adds the token). A refusal the screen explains itself (a 4xx
      // other than 401) resolves as {refused: ApiError}; any other failure fails the screen as usual.
      post: (path, body, { personal = false } = {}) => guard((personal
        ? app.personalCall("POST", path, body, record.abort.signal)
        : app.api.post(path, { body, signal: record.abort.signal })).catch((err) => {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401) return { refused: err };
        throw err;
      })),
      home: () => {
        if (alive()) app.home();
      },
      records: () => guard(app.cached("records", () => app.personalCall("GET", "/session/records"))),
      certificate: () => guard(app.cached("certificate", () => app.personalCall("POST", "/session/certificate"))),
      pick: (options) => pickFrom(app.sheetEl, t, options).then((value) => (alive() ? value : undefined)),
      message: (options) => app.message(options),
    };
  }

  /** One answer per session for `key` (records, the certificate): asked once, dropped with the session. */
  cached(key, ask) {
    const cache = this.citizen.cache;
    if (!cache.has(key)) {
      const promise = ask();
      cache.set(key, promise);
      promise.catch(() => {
        if (cache.get(key) === promise) cache.delete(key);
      });
    }
    return cache.get(key);
  }

  async personalCall(method, path, params = null, signal = null, retried = false) {
    const generation = this.citizen.generation;
    const token = this.citizen.token;
    if (!token) throw new ApiError(401, "session_ended");
    const started = this.serverNow();
    try {
      const out = method === "GET"
        ? await this.api.get(path, { params, token, signal })
        : await this.api.post(path, { token, signal, body: params });
      if (generation === this.citizen.generation) this.citizen.activity(started);
      return out;
    } catch (err) {
      // The server re-sent the session with a fresh token meanwhile: ask again once with it.
      if (err.status === 401 && !retried && generation === this.citizen.generation && this.citizen.token &&
          this.citizen.token !== token) {
        return this.personalCall(method, path, params, signal, true);
      }
      throw err;
    }
  }

  /** A failed call of the current screen: say so in words and go somewhere useful, never spin. */
  fail(err) {
    if (!(err instanceof ApiError)) console.error("kiosk:", err);
    const outcome = failure(err, Boolean(this.view && PERSONAL.has(this.view.name)));
    if (outcome.go === "attract") {
      this.citizen.end();
      this.attract();
      return;
    }
    if (outcome.go === "back") this.back();
    else if (outcome.go === "home") this.home();
    else return;
    this.message({ kind: outcome.kind, name: outcome.name, title: this.t(outcome.title), body: this.t(outcome.body) });
  }

  message(options) {
    this.dialog.show(this.t, options);
  }

  disposeView() {
    if (!this.view) return;
    const { abort, view } = this.view;
    this.view = null;
    abort.abort();
    if (view && typeof view.dispose === "function") {
      try {
        view.dispose();
      } catch (err) {
        console.error("kiosk: dispose failed", err);
      }
    }
    this.closeSheet();
  }

  /** Remove everything a person could have left on screen. */
  wipe() {
    this.disposeView();
    this.mainEl.replaceChildren();
    this.whoEl.replaceChildren();
    this.whoEl.removeAttribute("aria-label");
    this.whoEl.hidden = true;
    this.closeSheet();
    this.dialog.hide();
    this.countdown.hide();
  }

  closeSheet() {
    if (this.sheetEl.hidden) return;
    // Resolves the pending pick as cancelled through the sheet's own cancel button.
    const cancel = this.sheetEl.querySelector(".ksheet__cancel");
    if (cancel) cancel.click();
    this.sheetEl.replaceChildren();
    this.sheetEl.hidden = true;
  }

  openUi() {
    if (this.mode === "ui") return;
    this.mode = "ui";
    this.attractEl.hidden = true;
    this.attractEl.replaceChildren();
    this.uiEl.hidden = false;
    document.documentElement.classList.add("kiosk-ui");
    document.documentElement.classList.remove("kiosk-attract");
    this.wallRoot.setAttribute("aria-hidden", "true");
    this.wallRoot.inert = true;
  }

  /** The address never changes and no entry is ever pushed: Back cannot return to a screen. */
  forgetHistory() {
    try {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    } catch {
      // Some embedders forbid it; nothing to keep anyway.
    }
  }

  // -- chrome: title bar, who is served, page actions, toggles --------------------------------------

  setModes({ elder, lang }) {
    this.elder = elder;
    if (lang !== this.lang) {
      this.lang = lang;
      this.i18n = createKioskI18n(lang);
    }
    this.el.classList.toggle("kiosk--elder", this.elder);
    this.el.lang = this.lang;
    // The whole document is in the citizen's language (screen readers, hyphenation, fonts), not only the UI.
    document.documentElement.lang = this.lang;
    this.el.dataset.elder = String(this.elder);
    this.el.dataset.lang = this.lang;
    this.retitle();
  }

  toggles(fromAttract = false) {
    const otherLang = this.lang === "en" ? DEFAULT_LANG : "en";
    const then = () => (fromAttract ? this.home() : this.rerender());
    return toggleButtons(this.t, {
      elder: this.elder,
      otherLang,
      onElder: () => {
        this.setModes({ elder: !this.elder, lang: this.lang });
        then();
      },
      onLang: () => {
        this.setModes({ elder: this.elder, lang: otherLang });
        then();
      },
    });
  }

  renderChrome() {
    this.barTogglesEl.replaceChildren(...this.toggles());
    this.renderWho();
    this.navEl.setAttribute("aria-label", this.t("nav.label"));
    this.navEl.replaceChildren(...navButtons(this.t, {
      onHome: Boolean(this.view && this.view.name === "home"),
      onBack: () => this.back(),
      onGoHome: () => this.home(),
      onEnd: () => this.finish(),
    }));
  }

  renderWho() {
    const c = this.citizen.current;
    if (!c) {
      this.whoEl.replaceChildren();
      this.whoEl.removeAttribute("aria-label"); // it held the masked name
      this.whoEl.hidden = true;
      return;
    }
    this.whoEl.setAttribute("aria-label", this.t("who.greeting", { name: c.maskedName }));
    this.whoEl.replaceChildren(...whoBanner(this.t, c));
    this.whoEl.hidden = false;
  }

  /**
   * An emergency on the wall underneath must be seen (emergency.js). Under 提示 and 警告 it is a band
   * across the top and the touch UI moves down under it, still usable; only 紧急 makes it step aside.
   */
  watchEmergencies() {
    const check = () => {
      const overlay = this.wallRoot.querySelector(".emergency");
      const mode = overlay && !overlay.hidden ? overlay.dataset.mode : null;
      const root = document.documentElement.classList;
      root.toggle("kiosk-emergency", mode === "full" || mode === "panel");
      root.toggle("kiosk-emergency-band", mode === "band");
    };
    new MutationObserver(check).observe(this.wallRoot, { subtree: true, childList: true, attributes: true,
                                                          attributeFilter: ["hidden", "data-mode"] });
    check();
  }

  /** What a technician (or a test) may see: the screen and modes, never the token or personal data. */
  diagnostics() {
    return {
      screen: this.el.dataset.screen,
      session: this.citizen.id,
      generation: this.citizen.generation,
      elder: this.elder,
      lang: this.lang,
      timeZone: this.timeZone,
      stack: this.stack.map((entry) => entry.name),
      takeCard: this.takeCard.diagnostics(),
    };
  }
}

const wallRoot = document.getElementById("wall");
const kioskEl = document.getElementById("kiosk");
if (wallRoot && kioskEl) {
  const app = new KioskApp(kioskEl, wallRoot);
  window.__kiosk = { state: () => app.diagnostics() };
}
