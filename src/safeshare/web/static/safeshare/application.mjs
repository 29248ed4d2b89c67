// Starts GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll as initGovuk } from "/static/govuk-frontend/govuk/all.bundle.mjs";
import { initAll as initMoj } from "/static/moj-frontend/moj/all.bundle.mjs";

initGovuk();
initMoj();
