// The message above a form for what belongs to no one field (wrong password, rate limit,
// server down). role="alert" so a screen reader announces it when it appears.
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="form-alert" role="alert">
      {message}
    </div>
  );
}
