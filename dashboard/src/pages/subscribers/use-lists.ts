// The lists, for this section's pickers (filter, memberships, import).
import { useQuery } from '@tanstack/react-query';
import { allListsQuery } from '../../api/picker-queries';
import { useSession } from '../../api/session';

/** Every list's id, name and opt-in (the first 200). */
export function useLists() {
  const { api } = useSession();
  return useQuery({ ...allListsQuery(api), select: (lists) => lists.map((list) => ({ id: list.id, name: list.name, optin: list.optin })) });
}
