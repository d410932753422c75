import { CreateGroup, GroupId, HistoryQuery, JoinGroup, RideId } from "@convoy/shared";
import { Router } from "express";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "./parse.ts";
import { requireAuth, userOf } from "./require-auth.ts";

export function groupsRouter(deps: Deps): Router {
  const router = Router();
  router.use(requireAuth(deps.sessions));

  router.post("/", async (req, res) => {
    const { name } = parseOrThrow(CreateGroup, req.body);
    res.status(201).json({ group: await deps.groups.create(userOf(res), name) });
  });

  router.post("/join", async (req, res) => {
    const { inviteCode } = parseOrThrow(JoinGroup, req.body);
    const user = userOf(res);
    const { group, isNew } = await deps.groups.join(user, inviteCode);
    if (isNew) deps.events.emit("member-joined", { groupId: group.id, user });
    res.json({ group });
  });

  router.get("/", async (_req, res) => {
    res.json({ groups: await deps.groups.listFor(userOf(res).id) });
  });

  router.get("/:id", async (req, res) => {
    const groupId = parseOrThrow(GroupId, req.params.id);
    res.json(await deps.groups.detail(groupId, userOf(res).id));
  });

  router.get("/:id/messages", async (req, res) => {
    const groupId = parseOrThrow(GroupId, req.params.id);
    const { before, limit } = parseOrThrow(HistoryQuery, { ...req.query });
    res.json(await deps.messages.history(userOf(res), groupId, before ?? null, limit));
  });

  // Past rides and the one under way, newest first; a ride's summary with its riders' trails.
  router.get("/:id/rides", async (req, res) => {
    const groupId = parseOrThrow(GroupId, req.params.id);
    res.json({ rides: await deps.rides.history(userOf(res), groupId) });
  });

  router.get("/:id/rides/:rideId", async (req, res) => {
    const groupId = parseOrThrow(GroupId, req.params.id);
    const rideId = parseOrThrow(RideId, req.params.rideId);
    res.json(await deps.rides.summary(userOf(res), groupId, rideId));
  });

  return router;
}
