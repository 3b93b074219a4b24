// The outbound campaigns page (supervisor, admin): the campaigns section (outbound_campaigns.js)
// and the contact and do-not-call lists section (outbound_lists.js), each drawn into its own
// container and redrawn when the UI language changes.
import { api, applyI18n, setupLangSwitch, setupNav, signOut } from "./common.js";
import * as campaigns from "./outbound_campaigns.js";
import * as lists from "./outbound_lists.js";

const me = await api("GET", "/api/auth/me");
const sections = [campaigns, lists];
document.getElementById("sign-out").addEventListener("click", signOut);
setupLangSwitch(() => { applyI18n(); for (const s of sections) s.redraw(); });
await setupNav();
applyI18n();
for (const s of sections) await s.setup(document.getElementById(s.CONTAINER), me);
document.body.dataset.ready = "1";
