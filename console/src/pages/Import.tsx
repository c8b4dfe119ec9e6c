/** Placeholder until the shared import parsers land (src/import). */
export function ImportPage() {
  return (
    <section>
      <h1 tabIndex={-1}>Import</h1>
      <p class="muted">Importing from a file is coming soon.</p>
    </section>
  );
}
