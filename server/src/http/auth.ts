import { ChangePassword, Credentials } from "@convoy/shared";
import { Router } from "express";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "./parse.ts";
import { authOf, requireAuth, userOf } from "./require-auth.ts";

export function authRouter(deps: Deps): Router {
  const router = Router();
  const authenticated = requireAuth(deps.sessions);

  router.post("/register", async (req, res) => {
    const user = await deps.accounts.register(parseOrThrow(Credentials, req.body));
    res.status(201).json({ user });
  });

  router.post("/login", async (req, res) => {
    res.json(await deps.accounts.login(parseOrThrow(Credentials, req.body)));
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

  // Not in SPEC: a new password ends every session; the caller gets a new one.
  router.post("/password", authenticated, async (req, res) => {
    res.json(await deps.accounts.changePassword(userOf(res), parseOrThrow(ChangePassword, req.body)));
  });

  return router;
}
