using AuroraNode.Modules.Configuration;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// <c>modules.router.backends.&lt;name&gt;</c>: an Ollama- or OpenAI-compatible server on this node whose models the
/// node serves like its own. Models null: asked of the server (its /api/tags or /v1/models).
/// </summary>
internal sealed record BackendSettings(string Name, string Kind, Uri Url, IReadOnlyList<string>? Models, int Slots, bool Gpu)
{
    public const string Ollama = "ollama";
    public const string OpenAi = "openai";

    public static IReadOnlyList<BackendSettings> Read(ConfigReader router)
    {
        var backends = new List<BackendSettings>();
        foreach (var name in router.Keys("backends"))
        {
            var b = router.Section("backends").Section(name);
            var kind = b.Choice("kind", Ollama, Ollama, OpenAi);
            var raw = b.String("url");
            if (raw is null || !Uri.TryCreate(raw, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                b.Error("url", $"backend '{name}' needs the http(s) URL of its server, like http://127.0.0.1:11434, got '{raw}'");
                continue;
            }

            var models = b.Has("models") ? b.List("models") : null;
            backends.Add(new BackendSettings(name, kind, url, models, b.Int("slots", 1, 1, 1024), b.Bool("gpu", false)));
        }

        return backends;
    }
}
