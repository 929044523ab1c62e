import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import type { User } from "../../model";
import { navigate } from "../router";
import { ErrorBox, errorText } from "./common";

export function LoginPage(props: { next: string; onLogin: (u: User) => void }): JSX.Element {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      props.onLogin(await api.login(email, password));
      navigate(props.next.startsWith("/") && !props.next.startsWith("//") ? props.next : "/projects", true);
    } catch (err: unknown) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Sign in to Tessera</h1>
      <form onSubmit={onSubmit}>
        <label>Email <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>Password <input type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
