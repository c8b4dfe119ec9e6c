import { useState } from 'preact/hooks';
import { navigate } from '../nav.ts';
import { Dashboard } from './Dashboard.tsx';

/** An admin picks a user and sees that user's dashboard (the API answers 403 to anyone else). */
export function Admin(props: { isAdmin: boolean; userId?: string }) {
  const [id, setId] = useState(props.userId ?? '');
  return (
    <section>
      {!props.userId && <h1 tabIndex={-1}>Admin</h1>}
      {!props.isAdmin && <p class="alert">Only admins can see other users' data; the API will refuse.</p>}
      <form
        class="toolbar"
        aria-label="Pick a user"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) navigate(`/admin/${encodeURIComponent(id.trim())}`);
        }}
      >
        <div class="field">
          <label for="admin-user">User id</label>
          <input id="admin-user" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <button type="submit">Show dashboard</button>
      </form>
      {props.userId && (
        <Dashboard key={props.userId} userId={props.userId} title={`Dashboard of ${props.userId}`} />
      )}
    </section>
  );
}
