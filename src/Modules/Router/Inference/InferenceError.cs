namespace AuroraNode.Modules.Router.Inference;

/// <summary>Why a request cannot run here: its HTTP status, a message for the user, and when to retry (503 on a full queue).</summary>
internal sealed record InferenceError(int Status, string Message, TimeSpan? RetryAfter = null);
