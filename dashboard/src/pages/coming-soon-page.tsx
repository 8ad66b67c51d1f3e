// A section whose screen is not built yet: says so, and where the same thing is in the API.
export function ComingSoonPage({ title }: { title: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <p>
        This screen is coming. Until then, everything it will do is available through the API: see the{' '}
        <a href="/api/openapi.json">OpenAPI document</a>.
      </p>
    </section>
  );
}
