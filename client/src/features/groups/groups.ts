// The user's groups and which one is open. Groups come from the HTTP API;
// creating or joining one adds it and opens it. No socket, no timer: nothing
// to start or stop.
import type { Group } from "@convoy/shared";
import { computed, signal, type ReadonlySignal } from "@preact/signals";
import type { Api } from "../../net/http.ts";
import type { JsonStorage } from "../../net/storage.ts";

export interface Groups {
  list: ReadonlySignal<Group[]>;
  currentGroupId: ReadonlySignal<string | null>;
  currentGroup: ReadonlySignal<Group | null>;
  /** Loads the user's groups and reopens the last one they had open. */
  load(): Promise<Group[]>;
  openGroup(groupId: string): void;
  createGroup(name: string): Promise<Group>;
  joinGroup(inviteCode: string): Promise<Group>;
  /** Shows the groups an earlier visit kept (the app opened without a network), until load() answers. */
  restore(kept: readonly Group[]): void;
}

export function createGroups({
  api,
  storage,
  userId,
}: {
  api: Api;
  storage: JsonStorage;
  userId: string;
}): Groups {
  const storageKey = `convoy.${userId}.group`;
  const list = signal<Group[]>([]);
  const currentGroupId = signal<string | null>(null);

  function openGroup(groupId: string): void {
    currentGroupId.value = groupId;
    storage.saveJson(storageKey, groupId);
  }

  /** The list, and the group the user had open last (else the first). */
  function show(mine: readonly Group[]): void {
    list.value = [...mine];
    const last = currentGroupId.peek() ?? storage.loadJson<string | null>(storageKey, null);
    currentGroupId.value = mine.some((g) => g.id === last) ? last : (mine[0]?.id ?? null);
  }

  function add(group: Group): Group {
    if (!list.value.some((g) => g.id === group.id)) list.value = [...list.value, group];
    openGroup(group.id);
    return group;
  }

  return {
    list,
    currentGroupId,
    currentGroup: computed(() => list.value.find((g) => g.id === currentGroupId.value) ?? null),
    async load() {
      const { groups: mine } = await api<{ groups: Group[] }>("GET", "/api/groups");
      show(mine);
      return mine;
    },
    restore(kept) {
      if (list.value.length === 0) show(kept);
    },
    openGroup,
    createGroup: async (name) => add((await api<{ group: Group }>("POST", "/api/groups", { name })).group),
    joinGroup: async (inviteCode) =>
      add((await api<{ group: Group }>("POST", "/api/groups/join", { inviteCode: inviteCode.trim() })).group),
  };
}
