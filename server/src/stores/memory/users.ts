import type { User } from "@convoy/shared";
import type { StoredUser, UserStore } from "../types.ts";

export function createMemoryUserStore(): UserStore {
  const byId = new Map<string, StoredUser>();
  const idByName = new Map<string, string>();
  const nameKey = (username: string) => username.toLowerCase();

  return {
    async create(user) {
      const key = nameKey(user.username);
      if (idByName.has(key)) return false;
      idByName.set(key, user.id);
      byId.set(user.id, { ...user });
      return true;
    },
    async findByUsername(username) {
      const id = idByName.get(nameKey(username));
      const user = id === undefined ? undefined : byId.get(id);
      return user ? { ...user } : null;
    },
    async findMany(ids) {
      const users: User[] = [];
      for (const id of ids) {
        const user = byId.get(id);
        if (user) users.push({ id: user.id, username: user.username });
      }
      return users;
    },
  };
}
