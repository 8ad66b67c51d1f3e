// Dashboard users (admins and owners): add one, change a role, disable or enable, delete.
// The API has the last word (only owners touch owners, the last enabled owner stays), and
// its refusals are shown above the table as it words them.
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { dataOf } from '../../api/api-call';
import { errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { ConfirmButton } from '../../components/confirm-button';
import { formatTime } from '../../format';
import { NewUserForm } from './new-user-form';
import { RoleSelect } from './role-select';
import { SetPasswordButton } from './set-password-button';
import { mayManageRole, ROLE_NAMES, useSignedInUser, type Role } from './roles';

type User = components['schemas']['User'];
type UserChange = { role?: Role; disabled?: boolean };

const PAGE_SIZE = 100;

export function UsersPage() {
  const me = useSignedInUser();
  return (
    <>
      <NewUserForm actor={me.role} />
      <UsersTable />
    </>
  );
}

function useUsers() {
  const { api } = useSession();
  return useInfiniteQuery({
    queryKey: ['users'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      return dataOf(await api.GET('/api/users', { params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } }));
    },
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

function UsersTable() {
  const { api, signedIn } = useSession();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [alert, setAlert] = useState<string | null>(null);

  /** Sends a change or a delete; null when the API took it, else its refusal. */
  async function send(user: User, change: UserChange | 'delete'): Promise<string | null> {
    try {
      const { error, response } =
        change === 'delete'
          ? await api.DELETE('/api/users/{id}', { params: { path: { id: user.id } } })
          : await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: change });
      if (!response.ok) return `${user.email}: ${errorMessage(error, response)}`;
      if (user.id === me.id && change !== 'delete' && change.role) {
        // A new role of your own: the screens follow it at once, not at the next page load.
        const session = await api.GET('/api/session');
        if (session.data) signedIn(session.data);
      }
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      return null;
    } catch (err) {
      return errorMessage(err);
    }
  }

  /** A change made from the row itself: its refusal goes above the table. */
  async function change(user: User, next: UserChange) {
    setAlert(null);
    setAlert(await send(user, next));
  }

  if (users.isPending) return <p role="status">Loading users…</p>;
  if (users.isError) return <FormAlert message={users.error.message} />;
  const rows = users.data.pages.flatMap((page) => page.data);
  return (
    <>
      <FormAlert message={alert} />
      <table className="table settings-table">
        <caption>Users</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((user) => (
            <UserRow key={user.id} user={user} actor={me.role} isMe={user.id === me.id} change={change} remove={() => send(user, 'delete')} />
          ))}
        </tbody>
      </table>
      {users.hasNextPage && (
        <Button className="button secondary" onPress={() => void users.fetchNextPage()} isPending={users.isFetchingNextPage}>
          Show more users
        </Button>
      )}
    </>
  );
}

interface UserRowProps {
  user: User;
  actor: Role;
  isMe: boolean;
  change(user: User, next: UserChange): Promise<void>;
  /** Deletes the user: null when done, else the API's refusal. */
  remove(): Promise<string | null>;
}

function UserRow({ user, actor, isMe, change, remove }: UserRowProps) {
  const manageable = mayManageRole(actor, user.role);
  const who = user.name || user.email;
  return (
    <tr className={user.disabled ? 'settings-row-disabled' : undefined}>
      <th scope="row">
        {user.name || <span className="hint">(no name)</span>}
        {isMe && <span className="settings-badge">you</span>}
      </th>
      <td>{user.email}</td>
      <td>
        {manageable ? (
          <RoleSelect label={`Role of ${user.email}`} hideLabel value={user.role} actor={actor} onChange={(role) => void change(user, { role })} />
        ) : (
          <span title="Only an owner may change an owner">{ROLE_NAMES[user.role]}</span>
        )}
      </td>
      <td>{user.disabled ? 'Disabled' : 'Active'}</td>
      <td>{formatTime(user.lastSignInAt, 'Never')}</td>
      <td>
        {manageable && (
          <div className="settings-row-actions">
            <Button className="button secondary small" aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`} onPress={() => void change(user, { disabled: !user.disabled })}>
              {user.disabled ? 'Enable' : 'Disable'}
            </Button>
            {!isMe && <SetPasswordButton user={user} />}
            <ConfirmButton small label="Delete" ariaLabel={`Delete ${user.email}`} title={`Delete ${who}?`} onConfirm={remove}>
              <p>
                {user.email} loses access at once and is signed out everywhere. This cannot be undone; to keep them out for now but let them back later,
                disable them instead.
              </p>
              {isMe && <p>This is your own account: you will be signed out.</p>}
            </ConfirmButton>
          </div>
        )}
      </td>
    </tr>
  );
}
