// Bearer-token middleware for the authenticated routes: the token's signature,
// expiry and session (not ended by a logout) are all checked.
import type { User } from "@convoy/shared";
import type { RequestHandler, Response } from "express";
import { AppError } from "../errors.ts";
import type { Authenticated, Sessions } from "../services/sessions.ts";

export function requireAuth(sessions: Sessions): RequestHandler {
  return async (req, res, next) => {
    const [scheme, token] = (req.headers.authorization ?? "").split(" ");
    if (scheme !== "Bearer" || !token)
      throw new AppError("UNAUTHORIZED", "send Authorization: Bearer <token>");
    res.locals.auth = await sessions.authenticate(token);
    next();
  };
}

/** Who requireAuth found, and the session of their token. */
export const authOf = (res: Response): Authenticated => res.locals.auth as Authenticated;
/** The user requireAuth put on the response. */
export const userOf = (res: Response): User => authOf(res).user;
