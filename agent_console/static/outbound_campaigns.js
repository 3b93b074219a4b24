// The outbound page's campaigns section (filled in by its feature).
export const CONTAINER = "ob-campaigns";
export async function setup(container, me) {}
export function redraw() {}
