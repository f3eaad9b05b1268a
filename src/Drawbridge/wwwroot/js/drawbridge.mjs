// Turns on the NHS.UK frontend components. Loaded as a module, so browsers without modules keep the plain pages.
import { initAll } from '/lib/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();
