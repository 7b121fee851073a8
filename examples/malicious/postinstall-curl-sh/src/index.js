export function LineChart() {
  return null;
}
