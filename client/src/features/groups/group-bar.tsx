// Switch between groups, create one, join one by invite code, copy the open group's code.
import { LIMITS } from "@convoy/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../net/http.ts";
import { copyText, type CopyResult } from "../../ui/copy-text.ts";
import { useUser } from "../../ui/use-app.ts";

/** `noGroupsYet`: the user's groups are loaded and there are none, so the create form opens by itself. */
export function GroupBar({ noGroupsYet }: { noGroupsYet: boolean }) {
  const { chat, groups, rides } = useUser();
  const [chosen, setPanel] = useState<"none" | "create" | "join">("none");
  const panel = chosen === "none" && noGroupsYet ? "create" : chosen;
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [copyResult, setCopyResult] = useState<CopyResult | null>(null);
  const copyResultTimer = useRef<ReturnType<typeof setTimeout>>();
  const codeElement = useRef<HTMLElement>(null);
  const group = groups.currentGroup.value;
  const list = groups.list.value;

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await (panel === "create" ? groups.createGroup(value) : groups.joinGroup(value));
      setValue("");
      setPanel("none");
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === "NOT_FOUND"
          ? "No group has that invite code."
          : err instanceof Error
            ? err.message
            : "Something went wrong.",
      );
    }
  };

  // The result belongs to the group it was for; no timer outlives the bar.
  useEffect(() => {
    setCopyResult(null);
    return () => clearTimeout(copyResultTimer.current);
  }, [group?.id]);

  const copyCode = async () => {
    if (!group) return;
    setCopyResult(null); // a second "Copied" is announced again
    setCopyResult(await copyText(group.inviteCode, codeElement.current));
    clearTimeout(copyResultTimer.current);
    copyResultTimer.current = setTimeout(() => setCopyResult(null), 4000);
  };

  return (
    <section class="group-bar" aria-label="Groups">
      <div class="group-row">
        <label class="group-select">
          <span class="visually-hidden">Open group</span>
          <select
            name="group"
            value={group?.id ?? ""}
            onChange={(e) => groups.openGroup(e.currentTarget.value)}
            disabled={list.length === 0}
          >
            {list.length === 0 && <option value="">No group yet</option>}
            {list.map((g) => {
              const unread = g.id === group?.id ? 0 : chat.unreadCount(g.id);
              return (
                <option key={g.id} value={g.id}>
                  {g.name}
                  {unread > 0 ? ` (${unread} new)` : ""}
                  {rides.active.value[g.id] ? " — ride on" : ""}
                </option>
              );
            })}
          </select>
        </label>
        {group && rides.active.value[group.id] && (
          <span class="ride-on" data-testid="ride-on">
            Ride on
          </span>
        )}
        <button type="button" onClick={() => setPanel(panel === "create" ? "none" : "create")}>
          New group
        </button>
        <button type="button" onClick={() => setPanel(panel === "join" ? "none" : "join")}>
          Join
        </button>
      </div>
      {group && (
        <div class="invite">
          <span>
            Invite code:{" "}
            <code data-testid="invite-code" ref={codeElement}>
              {group.inviteCode}
            </code>
          </span>
          <button type="button" onClick={() => void copyCode()}>
            Copy<span class="visually-hidden"> invite code</span>
          </button>
          <span role="status" class="copy-result">
            {copyResult === "copied"
              ? "Copied"
              : copyResult === "selected"
                ? "Code selected: copy it with your keyboard or a long press"
                : ""}
          </span>
        </div>
      )}
      {panel !== "none" && (
        <form class="group-form" onSubmit={(e) => void submit(e)}>
          <label>
            {panel === "create" ? "Group name" : "Invite code"}
            <input
              name={panel === "create" ? "group-name" : "invite-code"}
              required
              maxLength={panel === "create" ? LIMITS.groupName : LIMITS.idMax}
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary">
            {panel === "create" ? "Create group" : "Join group"}
          </button>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
