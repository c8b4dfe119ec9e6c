/** Hash routes: `#/workouts/abc` → ['workouts', 'abc']. */
export function currentRoute(): string[] {
  const h = location.hash.replace(/^#\/?/, '');
  return (h.split('?')[0] ?? '')
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}

export function navigate(path: string): void {
  location.hash = `#${path}`;
}
