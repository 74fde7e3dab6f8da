using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AuroraNode.Modules.Router.Api;

/// <summary>
/// Every router endpoint: Ollama's paths and JSON (/api/generate, /api/chat, /api/tags, /api/ps) and OpenAI's
/// (/v1/chat/completions, /v1/models). Each answer says which node served it in X-Aurora-Node.
/// </summary>
internal static class RouterApi
{
    public const string NodeHeader = "X-Aurora-Node";

    public static void MapRouterApi(this IEndpointRouteBuilder app)
    {
        var ollama = app.MapGroup("/api").AddEndpointFilter(NameTheNode);
        ollama.MapPost("/generate", OllamaEndpoints.GenerateAsync);
        ollama.MapPost("/chat", OllamaEndpoints.ChatAsync);
        ollama.MapGet("/tags", OllamaEndpoints.Tags);
        ollama.MapGet("/ps", OllamaEndpoints.Ps);

        var openAi = app.MapGroup("/v1").AddEndpointFilter(NameTheNode);
        openAi.MapPost("/chat/completions", OpenAiEndpoints.ChatCompletionsAsync);
        openAi.MapGet("/models", OpenAiEndpoints.Models);
    }

    private static ValueTask<object?> NameTheNode(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers[NodeHeader] = http.RequestServices.GetService(typeof(NodeContext)) is NodeContext node ? node.Name : "";
        return next(context);
    }
}
