namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// The slot time a node still owes a model's requests: each queued request's whole work, and what each running one
/// has left, its work less the time it has held its slot. One that has run past its estimate is expected to run as
/// long again as it has overrun: a request stuck in a slow or hung server makes its node look busier, not idle.
/// </summary>
internal static class Backlog
{
    public static double RemainingMs(double workMs, double? inSlotMs) => inSlotMs is { } held ? Math.Abs(workMs - held) : workMs;
}
