import { ChangePassword, Credentials } from "@convoy/shared";
import { Router, type Request } from "express";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { parseOrThrow } from "./parse.ts";
import { authOf, requireAuth, userOf } from "./require-auth.ts";

/** The client's address, as TRUST_PROXY lets Express read it. */
const addressOf = (req: Request): string => req.ip ?? "unknown";

export function authRouter(deps: Deps): Router {
  const router = Router();
  const authenticated = requireAuth(deps.sessions);
  const { logins } = deps.guards;

  /** Runs a password check under the login limits: admitted first, its outcome counted after. */
  async function guarded<T>(username: string, address: string, attempt: () => Promise<T>): Promise<T> {
    await logins.admit(username, address);
    try {
      const result = await attempt();
      await logins.succeeded(username, address);
      return result;
    } catch (err) {
      if (err instanceof AppError && err.code === "INVALID_CREDENTIALS")
        await logins.failed(username, address);
      throw err;
    }
  }

  router.post("/register", async (req, res) => {
    await deps.guards.registrations.consume(addressOf(req), "too many registrations; try again later");
    const user = await deps.accounts.register(parseOrThrow(Credentials, req.body));
    res.status(201).json({ user });
  });

  router.post("/login", async (req, res) => {
    const credentials = parseOrThrow(Credentials, req.body);
    res.json(await guarded(credentials.username, addressOf(req), () => deps.accounts.login(credentials)));
  });

  // Not in SPEC §2: a new token in the same session, without the password, before this one expires.
  router.post("/refresh", authenticated, (_req, res) => {
    res.json(deps.sessions.refresh(authOf(res)));
  });

  // SPEC §6: ends this session: its tokens stop working and its sockets close, on every node.
  router.post("/logout", authenticated, async (_req, res) => {
    await deps.sessions.end(authOf(res).sessionId);
    res.status(204).end();
  });

  // Not in SPEC: "log out everywhere": every session of the user, this one included.
  router.post("/logout-all", authenticated, async (_req, res) => {
    await deps.sessions.endAll(userOf(res).id);
    res.status(204).end();
  });

  // Not in SPEC: a new password ends every session; the caller gets a new one. Limited like a login.
  router.post("/password", authenticated, async (req, res) => {
    const user = userOf(res);
    const change = parseOrThrow(ChangePassword, req.body);
    res.json(await guarded(user.username, addressOf(req), () => deps.accounts.changePassword(user, change)));
  });

  return router;
}
