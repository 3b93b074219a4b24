// The outbound page's lists section (filled in by its feature).
export const CONTAINER = "ob-lists";
export async function setup(container, me) {}
export function redraw() {}
