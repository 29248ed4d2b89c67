// Starts GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll as initGovuk } from "/static/govuk-frontend/govuk/all.bundle.mjs";
import { initAll as initMoj } from "/static/moj-frontend/moj/all.bundle.mjs";

initGovuk();
initMoj();

// A table wider than the screen scrolls inside its own box (application.scss). Keyboard users
// must reach that box to scroll it, so it joins the tab order as a named region while it
// overflows, and leaves it when it no longer does.
function markScrollableTables() {
  for (const table of document.querySelectorAll(".govuk-table")) {
    const scrolls = table.scrollWidth > table.clientWidth + 1;
    if (scrolls && !table.hasAttribute("tabindex")) {
      table.setAttribute("tabindex", "0");
      table.dataset.appScrollable = "true";
    } else if (!scrolls && table.dataset.appScrollable === "true") {
      table.removeAttribute("tabindex");
      delete table.dataset.appScrollable;
    }
  }
}

markScrollableTables();
window.addEventListener("resize", markScrollableTables);

// The timeout warning: staff are signed out after a period without activity (the server
// decides; this only warns). Two minutes before, a modal dialog offers "Stay signed in", which
// posts its form in the background and starts the count again. At the limit the page goes to
// the sign-in page, so that nothing personal stays on screen.
function startTimeoutWarning(dialog) {
  const limit = Number(dialog.dataset.timeoutMinutes) * 60 * 1000;
  const warnBefore = Number(dialog.dataset.warnMinutes) * 60 * 1000;
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const form = dialog.querySelector("[data-timeout-form]");
  let deadline = Date.now() + limit;

  function describe(milliseconds) {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    if (seconds > 60) return `${Math.ceil(seconds / 60)} minutes`;
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  }

  function tick() {
    const left = deadline - Date.now();
    if (left <= 0) {
      window.location.assign(dialog.dataset.signInUrl);
      return;
    }
    if (left <= warnBefore && !dialog.open) {
      dialog.showModal();
    }
    if (dialog.open) {
      countdown.textContent = describe(left);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      deadline = Date.now() + limit;
      dialog.close();
    } else {
      window.location.assign(dialog.dataset.signInUrl);
    }
  });
  // Escape closes the warning as "Stay signed in" does (the pattern's keyboard behaviour).
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    form.requestSubmit();
  });
  window.setInterval(tick, 1000);
}

const timeoutDialog = document.querySelector("[data-module='app-timeout']");
if (timeoutDialog) {
  startTimeoutWarning(timeoutDialog);
}
