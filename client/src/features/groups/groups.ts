// The user's groups and which one is open. Groups come from the HTTP API;
// creating or joining one adds it and opens it.
import type { Group } from "@convoy/shared";
import { computed, signal } from "@preact/signals";
import { api } from "../../net/http.ts";
import { freshToken } from "../../net/session.ts";
import { loadJson, saveJson } from "../../net/storage.ts";

export const groups = signal<Group[]>([]);
export const currentGroupId = signal<string | null>(null);
export const currentGroup = computed(() => groups.value.find((g) => g.id === currentGroupId.value) ?? null);

let storageKey = "";

async function authed<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  return api<T>(method, path, body, (await freshToken()) ?? undefined);
}

/** Loads the user's groups and reopens the last one they had open. */
export async function loadGroups(userId: string): Promise<Group[]> {
  storageKey = `convoy.${userId}.group`;
  const { groups: mine } = await authed<{ groups: Group[] }>("GET", "/api/groups");
  groups.value = mine;
  const last = loadJson<string | null>(storageKey, null);
  currentGroupId.value = mine.some((g) => g.id === last) ? last : (mine[0]?.id ?? null);
  return mine;
}

export function openGroup(groupId: string): void {
  currentGroupId.value = groupId;
  saveJson(storageKey, groupId);
}

function add(group: Group): Group {
  if (!groups.value.some((g) => g.id === group.id)) groups.value = [...groups.value, group];
  openGroup(group.id);
  return group;
}

export async function createGroup(name: string): Promise<Group> {
  return add((await authed<{ group: Group }>("POST", "/api/groups", { name })).group);
}

export async function joinGroup(inviteCode: string): Promise<Group> {
  return add(
    (await authed<{ group: Group }>("POST", "/api/groups/join", { inviteCode: inviteCode.trim() })).group,
  );
}

export function resetGroups(): void {
  groups.value = [];
  currentGroupId.value = null;
}
