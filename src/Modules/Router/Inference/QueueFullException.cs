namespace AuroraNode.Modules.Router.Inference;

/// <summary>Every slot of a model is busy and its queue holds queue_limit requests already.</summary>
internal sealed class QueueFullException(string model, int queueLimit, TimeSpan retryAfter)
    : Exception($"model '{model}' is busy: all its slots are in use and {queueLimit} requests wait already (modules.router.queue_limit); retry in {Math.Ceiling(retryAfter.TotalSeconds)} s")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
