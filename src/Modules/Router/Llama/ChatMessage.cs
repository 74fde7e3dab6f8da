namespace AuroraNode.Modules.Router.Llama;

/// <summary>One turn of a chat: role "system", "user" or "assistant".</summary>
internal sealed record ChatMessage(string Role, string Content);
