"""display_client/static/js/revocation.js in real Chromium: when a wall decides it was revoked, and when not."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

STATIC = "/display-static/js"

# Drive a RevocationWatch through the socket callbacks of `steps`: "unknown" (an attempt refused as
# unknown screen), "db" (refused: database_unavailable), "net" (the attempt failed without a
# refusal), "online"; confirm answers from `answers` in turn. Returns how often it asked and whether it fired.
WATCH = """
async ({ steps, answers }) => {
  const { RevocationWatch } = await import('@static/revocation.js');
  let asked = 0, fired = 0;
  const watch = new RevocationWatch({
    confirm: async () => answers[asked++] ?? false,
    onRevoked: () => { fired += 1; },
  });
  for (const step of steps) {
    watch.status('connecting');
    if (step === 'online') { watch.status('online'); continue; }
    if (step === 'unknown') watch.refused({ message: 'unknown screen' });
    if (step === 'db') watch.refused({ message: 'database_unavailable' });
    watch.status('offline');
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { asked, fired, revoked: watch.revoked };
}
""".replace("@static", STATIC)


def watch(page: Any, steps: list[str], answers: list[bool] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(WATCH, {"steps": steps, "answers": answers or []})
    return result


def test_three_unknown_screen_refusals_confirmed_by_the_server_revoke(module_page: Any) -> None:
    assert watch(module_page, ["unknown", "unknown"], [True]) == {"asked": 0, "fired": 0, "revoked": False}
    assert watch(module_page, ["unknown"] * 3, [True]) == {"asked": 1, "fired": 1, "revoked": True}
    assert watch(module_page, ["unknown"] * 5, [True]) == {"asked": 1, "fired": 1, "revoked": True}


def test_a_server_that_does_not_confirm_keeps_the_wall(module_page: Any) -> None:
    # manifest.json answered 200 or 503 (or not at all): asked again at the next refusal, and then it may confirm.
    assert watch(module_page, ["unknown"] * 4, [False, False]) == {"asked": 2, "fired": 0, "revoked": False}
    assert watch(module_page, ["unknown"] * 4, [False, True]) == {"asked": 2, "fired": 1, "revoked": True}


@pytest.mark.parametrize(
    "between",
    ["net", "db", "online"],
    ids=["a network error", "a database outage", "a connect (a restart that recovered)"],
)
def test_anything_else_between_refusals_starts_the_count_again(module_page: Any, between: str) -> None:
    steps = ["unknown", "unknown", between, "unknown", "unknown"]
    assert watch(module_page, steps, [True]) == {"asked": 0, "fired": 0, "revoked": False}
    assert watch(module_page, ["db"] * 6 + ["net"] * 6, [True]) == {"asked": 0, "fired": 0, "revoked": False}


def test_only_a_404_saying_unknown_screen_confirms(module_page: Any) -> None:
    answers = module_page.evaluate(
        """async () => {
          const { saysUnknownScreen } = await import('@static/revocation.js');
          const html = (text) => `<!doctype html><title>404 Not Found</title><p>${text}</p>`;
          return Promise.all([
            saysUnknownScreen(new Response(html('unknown screen'), { status: 404 })),
            saysUnknownScreen(new Response(html('screen has no manifest yet'), { status: 404 })),
            saysUnknownScreen(new Response('{"error": "database_unavailable"}', { status: 503 })),
            saysUnknownScreen(new Response('unknown screen', { status: 200 })),
          ]);
        }""".replace("@static", STATIC)
    )
    assert answers == [True, False, False, False]


def test_forgetting_a_screen_clears_its_slots_and_cached_copies_only(module_page: Any) -> None:
    left = module_page.evaluate(
        """async () => {
          const { forgetScreen, KEY_SLOT } = await import('@static/revocation.js');
          localStorage.clear();
          for (const name of ['wall:k1:manifest', 'wall:k1:queue', 'wall:k1:plays', 'wall:k10:manifest', 'other'])
            localStorage.setItem(name, '1');
          localStorage.setItem(KEY_SLOT, 'k1');
          const cache = await caches.open('wall-v1-data');
          await cache.put('/screen/k1/manifest.json', new Response('{}'));
          await cache.put('/screen/k10/manifest.json', new Response('{}'));
          const shell = await caches.open('wall-v1-shell');
          await shell.put('/screen/k1', new Response('<p>'));
          await forgetScreen('k1', localStorage);
          const kept = [];
          for (const name of ['wall-v1-data', 'wall-v1-shell']) {
            for (const request of await (await caches.open(name)).keys()) kept.push(new URL(request.url).pathname);
          }
          const storage = Object.keys(localStorage).sort();
          localStorage.clear();
          for (const name of await caches.keys()) await caches.delete(name);
          return { storage, kept: kept.sort() };
        }""".replace("@static", STATIC)
    )
    assert left == {"storage": ["other", "wall:k10:manifest"], "kept": ["/screen/k10/manifest.json"]}
