// What a refused ride action tells the rider, by the server's code (or the
// client's own TIMEOUT and NETWORK).
export type RideAction = "start" | "join" | "leave" | "end" | "summary";

export function rideProblem(action: RideAction, error: { code: string; message: string }): string {
  switch (error.code) {
    case "CONFLICT":
      return action === "start" ? "A ride is already under way" : "This ride has already ended";
    case "FORBIDDEN":
      return action === "end"
        ? "Only the ride's starter or the group's owner can end it"
        : "You are not a member of this group";
    case "NOT_FOUND":
      return "This ride no longer exists";
    case "VALIDATION_FAILED":
      return "Check the ride's name, and that its planned end is later than now";
    case "RATE_LIMITED":
      return "Too many requests: wait a moment and try again";
    case "NETWORK":
    case "TIMEOUT":
      return "No answer from the server. Check your connection and try again";
    default:
      return error.message;
  }
}
