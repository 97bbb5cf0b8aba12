/* Start GOV.UK Frontend's components (skip link, header, buttons, service navigation). */
import { initAll } from '/static/vendor/govuk-frontend/govuk-frontend.min.js';
initAll();
