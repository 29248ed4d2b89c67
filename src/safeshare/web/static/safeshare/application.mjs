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
