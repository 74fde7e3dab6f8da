using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Router.Api;

/// <summary>
/// Every router endpoint: Ollama's paths and JSON (/api/generate, /api/chat, /api/tags, /api/ps), OpenAI's
/// (/v1/chat/completions, /v1/models), the seed's GPU mesh (/api/gpu/generate, /api/gpu/status, /api/gpu/queue) and
/// this node's load (/api/v1/router/load). Generation requests are routed to the node that should finish first; each
/// answer says which node served it in X-Aurora-Node.
/// </summary>
internal static class RouterApi
{
    public const string NodeHeader = "X-Aurora-Node";

    public static void MapRouterApi(this IEndpointRouteBuilder app)
    {
        var ollama = app.MapGroup("/api").AddEndpointFilter(NameTheNode);
        ollama.MapPost("/generate", OllamaEndpoints.GenerateAsync).Routed(new(RequestApi.Ollama, "/api/generate", StreamByDefault: true));
        ollama.MapPost("/chat", OllamaEndpoints.ChatAsync).Routed(new(RequestApi.Ollama, "/api/chat", StreamByDefault: true));
        ollama.MapGet("/tags", OllamaEndpoints.TagsAsync);
        ollama.MapGet("/ps", OllamaEndpoints.PsAsync);
        ollama.MapPost("/gpu/generate", OllamaEndpoints.GenerateAsync).Routed(new(RequestApi.Ollama, "/api/generate", StreamByDefault: false));
        ollama.MapGet("/gpu/status", GpuEndpoints.Status);
        ollama.MapGet("/gpu/queue", GpuEndpoints.Queue);

        var openAi = app.MapGroup("/v1").AddEndpointFilter(NameTheNode);
        openAi.MapPost("/chat/completions", OpenAiEndpoints.ChatCompletionsAsync).Routed(new(RequestApi.OpenAi, "/v1/chat/completions", StreamByDefault: false));
        openAi.MapGet("/models", OpenAiEndpoints.Models);

        app.MapGet(PeerClient.LoadPath, GpuEndpoints.Load);
    }

    private static RouteHandlerBuilder Routed(this RouteHandlerBuilder endpoint, RouteFilter.Endpoint shape) =>
        endpoint.AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<RouteFilter>().InvokeAsync(context, next, shape));

    private static ValueTask<object?> NameTheNode(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers[NodeHeader] = http.RequestServices.GetService(typeof(NodeContext)) is NodeContext node ? node.Name : "";
        return next(context);
    }
}
