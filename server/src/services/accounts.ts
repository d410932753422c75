// Registration and login.
import { randomUUID } from "node:crypto";
import type { Credentials, LoginResponse, User } from "@convoy/shared";
import { AppError } from "../errors.ts";
import type { UserStore } from "../stores/types.ts";
import { DEFAULT_PASSWORD_COST, decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { TokenService } from "./tokens.ts";

/** `passwordCost`: scrypt's N for new hashes (existing ones keep theirs). */
export function createAccounts(users: UserStore, tokens: TokenService, passwordCost = DEFAULT_PASSWORD_COST) {
  return {
    async register({ username, password }: Credentials): Promise<User> {
      const user = { id: randomUUID(), username };
      const created = await users.create({
        ...user,
        passwordHash: await hashPassword(password, passwordCost),
      });
      if (!created) throw new AppError("USERNAME_TAKEN", "that username is taken");
      return user;
    },

    async login({ username, password }: Credentials): Promise<LoginResponse> {
      const stored = await users.findByUsername(username);
      const valid = await verifyPassword(password, stored?.passwordHash ?? (await decoyHash(passwordCost)));
      if (!stored || !valid) throw new AppError("INVALID_CREDENTIALS", "wrong username or password");
      const user = { id: stored.id, username: stored.username };
      return { ...(await tokens.issue(user)), user };
    },

    /** A fresh token for a user whose current one is still valid. */
    async refresh(user: User): Promise<LoginResponse> {
      return { ...(await tokens.issue(user)), user };
    },
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
