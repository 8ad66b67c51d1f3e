// The most clicked links of the campaign, with the clicks made by people.
import type { CampaignStats } from '../page/campaign-status';
import { formatCount } from '../../../format';

export function TopLinksTable({ links }: { links: CampaignStats['topLinks'] }) {
  return (
    <section aria-labelledby="links-title" className="results-block">
      <h3 id="links-title">Top links</h3>
      {links.length === 0 ? (
        <p>No clicks yet.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Most clicked links</caption>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col" className="number">Clicks</th>
              <th scope="col" className="number">Messages</th>
              <th scope="col" className="number">By people</th>
            </tr>
          </thead>
          <tbody>
            {links.map((link) => (
              <tr key={link.url}>
                <th scope="row" className="url">
                  {link.url}
                </th>
                <td className="number">{formatCount(link.total)}</td>
                <td className="number">{formatCount(link.unique)}</td>
                <td className="number">{formatCount(link.human.unique)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
