// Register or log in. Also shown over the app when the session expired, with
// the username filled in: the app underneath (and any draft) stays as it was.
import { LIMITS } from "@convoy/shared";
import { useState } from "preact/hooks";
import { ApiError } from "../../net/http.ts";
import { useApp } from "../../ui/use-app.ts";

export function LoginForm({ expiredFor }: { expiredFor?: string }) {
  const { session } = useApp();
  const [mode, setMode] = useState<"login" | "register">("login");
  const [username, setUsername] = useState(expiredFor ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const credentials = { username: username.trim(), password };
      await (mode === "login" ? session.login(credentials) : session.register(credentials));
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.code === "INVALID_CREDENTIALS"
            ? "Wrong username or password."
            : err.code === "USERNAME_TAKEN"
              ? "That username is taken. Pick another one."
              : err.message
          : "Something went wrong. Try again.",
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="login" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
      <h1 id="login-title">{expiredFor ? "Your session expired" : "Convoy"}</h1>
      {expiredFor ? (
        <p>Log in again to carry on. Nothing you typed is lost.</p>
      ) : (
        <p>Chat, presence and a live map for your riding group.</p>
      )}
      <label>
        Username
        <input
          name="username"
          autoComplete="username"
          required
          minLength={LIMITS.usernameMin}
          maxLength={LIMITS.usernameMax}
          pattern="[A-Za-z0-9_.\-]+"
          title="3–32 letters, digits, _ . or -"
          value={username}
          readOnly={Boolean(expiredFor)}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoFocus={Boolean(expiredFor)}
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          required
          minLength={LIMITS.passwordMin}
          maxLength={LIMITS.passwordMax}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {mode === "login" ? "Log in" : "Create account"}
      </button>
      {!expiredFor && (
        <button type="button" class="link" onClick={() => setMode(mode === "login" ? "register" : "login")}>
          {mode === "login" ? "New here? Create an account" : "Have an account? Log in"}
        </button>
      )}
    </form>
  );
}
