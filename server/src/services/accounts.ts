// Registration, login and password changes. Every hash goes through the
// hashing gate, so a flood of them is refused instead of queued.
import { randomUUID } from "node:crypto";
import type { ChangePassword, Credentials, LoginResponse, User } from "@convoy/shared";
import { AppError } from "../errors.ts";
import type { UserStore } from "../stores/types.ts";
import type { HashingGate } from "./hashing-gate.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { Sessions } from "./sessions.ts";

/** `passwordCost`: scrypt's N for new hashes (existing ones keep theirs). */
export function createAccounts(
  users: UserStore,
  sessions: Sessions,
  gate: HashingGate,
  passwordCost: number,
) {
  const hash = (password: string) => gate.run(() => hashPassword(password, passwordCost));
  const verify = (password: string, stored: string | undefined) =>
    gate.run(async () => verifyPassword(password, stored ?? (await decoyHash(passwordCost))));

  return {
    async register({ username, password }: Credentials): Promise<User> {
      const user = { id: randomUUID(), username };
      const created = await users.create({ ...user, passwordHash: await hash(password) });
      if (!created) throw new AppError("USERNAME_TAKEN", "that username is taken");
      return user;
    },

    async login({ username, password }: Credentials): Promise<LoginResponse> {
      const stored = await users.findByUsername(username);
      const valid = await verify(password, stored?.passwordHash);
      if (!stored || !valid) throw new AppError("INVALID_CREDENTIALS", "wrong username or password");
      return sessions.start({ id: stored.id, username: stored.username });
    },

    /** Ends every session of the user (other devices, a thief's) and starts a new one for the caller. */
    async changePassword(
      user: User,
      { currentPassword, newPassword }: ChangePassword,
    ): Promise<LoginResponse> {
      const stored = await users.findById(user.id);
      if (!stored || !(await verify(currentPassword, stored.passwordHash))) {
        throw new AppError("INVALID_CREDENTIALS", "the current password is wrong");
      }
      await users.setPasswordHash(user.id, await hash(newPassword));
      await sessions.endAll(user.id);
      return sessions.start(user);
    },
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
