namespace AuroraNode.Modules.Router.Inference;

/// <summary>A model this node can run: its settings and its file's size and time.</summary>
internal sealed record AvailableModel(ModelSettings Settings, long Size, DateTimeOffset ModifiedAt);
