import { Link } from 'react-router';

/** A path of the dashboard that matches no screen. */
export function NotFoundPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Page not found</h1>
      <p>
        Nothing lives at this address. Go to <Link to="/lists">Lists</Link>.
      </p>
    </section>
  );
}
