export function track(event) {
  return { event, at: Date.now() };
}
