using Microsoft.AspNetCore.Diagnostics;

namespace AuroraNode.Api;

/// <summary>Every API error is <c>application/problem+json</c> with a detail a person can act on.</summary>
internal static class ErrorResponses
{
    /// <summary>Bad requests that fail deep in the pipeline (e.g. an oversized body) keep their 4xx.</summary>
    public static int StatusFor(Exception ex) => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    public static void Customize(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Extensions["node"] = http.RequestServices.GetService<Configuration.NodeSettings>()?.Node.Name;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"no endpoint at {http.Request.Method} {http.Request.Path}; GET /api/v1/node describes the node and the README lists the API",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not accept {http.Request.Method}",
            StatusCodes.Status413PayloadTooLarge => "the request body is larger than the node accepts (1 MiB)",
            StatusCodes.Status500InternalServerError => $"the node failed to answer; its log has the cause under trace id {http.TraceIdentifier}",
            _ => null,
        };
        if (http.Features.Get<IExceptionHandlerFeature>() is { Error: BadHttpRequestException bad })
        {
            problem.Detail = bad.Message;
        }
    }
}
