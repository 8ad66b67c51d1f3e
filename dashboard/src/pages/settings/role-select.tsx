// The roles drop-down: each option says what the role may do, and the roles the signed-in
// user may not give are shown but disabled.
import { SelectField } from '../../components/select-field';
import { mayManageRole, ROLE_DESCRIPTIONS, ROLE_NAMES, ROLES, type Role } from './roles';

const ROLE_OPTIONS = ROLES.map((role) => ({ id: role, label: ROLE_NAMES[role], description: ROLE_DESCRIPTIONS[role] }));

interface RoleSelectProps {
  label: string;
  value: Role;
  onChange(role: Role): void;
  /** The signed-in user's role: an admin is not offered `owner`. */
  actor: Role;
  hideLabel?: boolean;
  isDisabled?: boolean;
}

/** Picks a role, offering only those `actor` may give. */
export function RoleSelect({ label, value, onChange, actor, hideLabel, isDisabled }: RoleSelectProps) {
  return (
    <SelectField
      label={label}
      hideLabel={hideLabel}
      options={ROLE_OPTIONS}
      value={value}
      onChange={(role) => onChange(role as Role)}
      isDisabled={isDisabled}
      disabledKeys={ROLES.filter((role) => !mayManageRole(actor, role))}
    />
  );
}
