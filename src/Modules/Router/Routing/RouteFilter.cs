using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AuroraNode.Modules.Router.Api;
using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// In front of every generation endpoint: picks the node that should finish the request first (by the strategy),
/// serves it here or forwards it there, and on a failure before the first byte tries the next. The answer says where
/// it ran (X-Aurora-Node), the estimate (X-Aurora-Estimate-Ms) and why (X-Aurora-Route). A request another node
/// forwarded (<see cref="PeerClient.ForwardedHeader"/>) is served here and never forwarded again.
/// </summary>
internal sealed partial class RouteFilter(
    RoutePlanner planner,
    PeerClient peers,
    BackendSet backends,
    BackendRelay backendRelay,
    ModelPool pool,
    Cooldowns cooldowns,
    Corrections corrections,
    InFlight inFlight,
    NodeContext node,
    ILogger<RouteFilter> log)
{
    public const string EstimateHeader = "X-Aurora-Estimate-Ms";
    public const string RouteHeader = "X-Aurora-Route";
    private const int MaxBody = 32 << 20;

    /// <summary>The endpoint's API (request and error shape), the path peers and servers get it on, and whether it streams unless told not to.</summary>
    internal sealed record Endpoint(string Api, string Path, bool StreamByDefault);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, Endpoint endpoint)
    {
        var http = context.HttpContext;
        var ct = http.RequestAborted;
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Error(http, endpoint, new InferenceError(413, $"the request body is larger than {MaxBody >> 20} MB"));
        }

        // /api/gpu/generate answers in one piece unless the request asks to stream; peers get an explicit stream flag.
        body = endpoint.StreamByDefault ? body : WithStreamFlag(body);
        http.Request.Body = new MemoryStream(body);
        var shape = RequestShape.Read(endpoint.Api, body, endpoint.StreamByDefault);
        if (shape is null)
        {
            // Not a request with a model: the endpoint says what is wrong with it.
            return await next(context);
        }

        var decided = Stopwatch.GetTimestamp();
        if (http.Request.Headers[PeerClient.ForwardedHeader].FirstOrDefault() is { Length: > 0 } origin)
        {
            var self = planner.Here(shape);
            return await HereOnlyAsync(context, next, endpoint, shape, body, self, $"forwarded by {origin}");
        }

        var plan = planner.Plan(shape);
        RouterMetrics.Decisions.Record(Stopwatch.GetElapsedTime(decided).TotalSeconds);
        if (plan.Order.Count == 0)
        {
            if (planner.Options.PinnedNode is { } pinned && pinned != node.Name)
            {
                return Error(http, endpoint, new InferenceError(
                    503,
                    $"modules.router.strategy pins requests to node '{pinned}', which has not published model '{shape.Model}' within the last {planner.Options.PeerStaleAfter.TotalSeconds:0.#} s " +
                    $"(it is down, or does not serve the model); pinned requests run nowhere else: retry later, or set strategy: fastest to let other nodes serve them",
                    TimeSpan.FromSeconds(1)));
            }

            if (planner.OnlyInAnotherApi(shape))
            {
                return Error(http, endpoint, new InferenceError(
                    400, $"model '{shape.Model}' is served by an OpenAI-compatible server, which takes only OpenAI's API: send the request to POST /v1/chat/completions"));
            }

            // Nobody has it: this node's endpoint answers (404 model not found, or why it cannot run models).
            return await HereOnlyAsync(context, next, endpoint, shape, body, null, plan.Strategy);
        }

        var failures = new List<string>();
        for (var i = 0; i < plan.Order.Count; i++)
        {
            var estimate = plan.Order[i];
            var target = estimate.Candidate;
            var why = failures.Count == 0
                ? $"{plan.Strategy}: best of {plan.Order.Count} node(s)"
                : $"{plan.Strategy}: next best after {string.Join(", ", failures)}";
            var last = i == plan.Order.Count - 1;
            if (target.IsSelf)
            {
                var (result, problem) = await HereAsync(context, next, endpoint, shape, body, estimate, why, canFallBack: !last);
                if (problem is null)
                {
                    RouterMetrics.Routed.Add(1, RouterMetrics.Node(target.Node), RouterMetrics.Strategy(plan.Strategy), RouterMetrics.Outcome("ok"));
                    LogRouted(shape.Model, target.Node, plan.Strategy, estimate.TotalMs, plan.Order.Count);
                    return result;
                }

                failures.Add($"{target.Node} ({problem})");
                LogSkipped(shape.Model, target.Node, problem);
                continue;
            }

            var dispatch = inFlight.Begin(target.Node, shape.Model, estimate.TotalMs);
            var started = Stopwatch.GetTimestamp();
            RelayResult relay;
            try
            {
                relay = await ForwardAsync(http, endpoint, shape, body, target, estimate, why, ct);
            }
            finally
            {
                dispatch.Dispose();
            }

            if (ct.IsCancellationRequested)
            {
                // The client went away: not the node's fault, and nobody to answer.
                return Results.Empty;
            }

            if (!relay.Started)
            {
                failures.Add($"{target.Node} ({relay.Problem})");
                RouterMetrics.RouteFailures.Add(1, RouterMetrics.Node(target.Node));
                LogSkipped(shape.Model, target.Node, relay.Problem!);
                if (relay.Status != 404 && cooldowns.Fail(target.Node))
                {
                    LogCooling(target.Node, planner.Options.Cooldown.TotalSeconds, planner.Options.AllowedFails);
                }

                continue;
            }

            RouterMetrics.Routed.Add(1, RouterMetrics.Node(target.Node), RouterMetrics.Strategy(plan.Strategy), RouterMetrics.Outcome(relay.Completed ? "ok" : "broken"));
            if (relay.Completed)
            {
                cooldowns.Succeed(target.Node);
                var actual = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (relay.Ok)
                {
                    corrections.Record(target.Node, shape.Model, estimate.Measured, (estimate.TotalMs - target.RttMs) / target.Correction, actual - target.RttMs);
                }

                LogRouted(shape.Model, target.Node, plan.Strategy, estimate.TotalMs, plan.Order.Count);
            }
            else
            {
                // Tokens reached the client already: the request is not sent anywhere again, and the connection is cut
                // so that the client knows the answer is incomplete.
                cooldowns.Fail(target.Node);
                LogBroken(shape.Model, target.Node, relay.Problem!);
                http.Abort();
            }

            return Results.Empty;
        }

        var pin = planner.Options.PinnedNode is { } to ? $"; modules.router.strategy pins requests to node '{to}', so they run nowhere else (strategy: fastest lets other nodes serve them)" : "";
        return Error(http, endpoint, new InferenceError(
            503, $"no node could serve model '{shape.Model}': {string.Join("; ", failures)}{pin}", TimeSpan.FromSeconds(1)));
    }

    private async Task<RelayResult> ForwardAsync(HttpContext http, Endpoint endpoint, RequestShape shape, byte[] body, Candidate target, Estimate estimate, string why, CancellationToken ct)
    {
        var timeout = FirstByteTimeout(shape, estimate);
        HttpResponseMessage response;
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(timeout);
            response = await peers.ForwardAsync(target.Url, endpoint.Path, body, http.Request.ContentType, connect.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return RelayResult.Failed(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message);
        }

        using (response)
        {
            return await Relay.RunAsync(response, http, timeout, () => Name(http, target.Node, estimate, why, keepUpstreamNode: true), ct);
        }
    }

    /// <summary>Serves here with nothing to fall back on (a forwarded request, the local strategy, or a model nobody else has).</summary>
    private async Task<object?> HereOnlyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, Endpoint endpoint, RequestShape shape, byte[] body, Estimate? estimate, string why)
    {
        var (result, _) = await HereAsync(context, next, endpoint, shape, body, estimate, why, canFallBack: false);
        return result;
    }

    /// <summary>
    /// Serves on this node: its own models through the endpoint, a fronted server's by relaying. With a fallback, an
    /// error before the answer starts (5xx: full queue, no llama.cpp, server down) comes back as the problem instead.
    /// </summary>
    private async Task<(object? Result, string? Problem)> HereAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, Endpoint endpoint, RequestShape shape, byte[] body, Estimate? estimate, string why, bool canFallBack)
    {
        var http = context.HttpContext;
        var started = Stopwatch.GetTimestamp();
        var dispatch = inFlight.Begin(node.Name, shape.Model, estimate?.TotalMs ?? 0, shape.Size);
        http.Features.Set(dispatch);
        if (pool.Resolve(shape.Model) is null && backends.For(shape.Model) is { } backend)
        {
            try
            {
                var relay = await backendRelay.ServeAsync(
                    backend, endpoint.Path, body, shape, http, FirstByteTimeout(shape, estimate), () => Name(http, node.Name, estimate, why, keepUpstreamNode: false), http.RequestAborted);
                if (!relay.Started)
                {
                    return canFallBack
                        ? (null, relay.Problem)
                        : (Error(http, endpoint, new InferenceError(relay.Status is 503 or 404 ? relay.Status : 502, relay.Problem!, relay.Status == 503 ? TimeSpan.FromSeconds(1) : null)), null);
                }

                Learn(shape, estimate, started, relay.Ok);
                if (!relay.Completed)
                {
                    LogBroken(shape.Model, node.Name, relay.Problem!);
                    http.Abort();
                }

                return (Results.Empty, null);
            }
            finally
            {
                dispatch.Dispose();
            }
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            dispatch.Dispose();
            throw;
        }

        if (canFallBack && result is IStatusCodeHttpResult { StatusCode: >= 500 } failed)
        {
            dispatch.Dispose();
            http.Response.Headers.Remove("Retry-After");
            return (null, $"answered {failed.StatusCode}: {(result is IValueHttpResult v ? Message(v.Value) : "")}");
        }

        Name(http, node.Name, estimate, why, keepUpstreamNode: false);
        if (result is IResult inner)
        {
            return (new Measured(inner, ok =>
            {
                dispatch.Dispose();
                Learn(shape, estimate, started, ok && http.Response.StatusCode < 400);
            }), null);
        }

        dispatch.Dispose();
        return (result, null);
    }

    private void Learn(RequestShape shape, Estimate? estimate, long started, bool ok)
    {
        if (ok && estimate is not null)
        {
            corrections.Record(node.Name, shape.Model, estimate.Measured, estimate.TotalMs / estimate.Candidate.Correction, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private TimeSpan FirstByteTimeout(RequestShape shape, Estimate? estimate)
    {
        // One JSON body comes only when the whole answer is done: then the wait allows for the generation too.
        var timeout = planner.Options.FirstTokenTimeout;
        return shape.Stream ? timeout : timeout + TimeSpan.FromMilliseconds(Math.Min(4 * (estimate?.TotalMs ?? 0), TimeSpan.FromMinutes(30).TotalMilliseconds));
    }

    private static void Name(HttpContext http, string node, Estimate? estimate, string why, bool keepUpstreamNode)
    {
        if (!keepUpstreamNode || string.IsNullOrEmpty(http.Response.Headers[RouterApi.NodeHeader]))
        {
            http.Response.Headers[RouterApi.NodeHeader] = node;
        }

        http.Response.Headers[EstimateHeader] = estimate is null ? "" : Math.Round(estimate.TotalMs).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[RouteHeader] = why;
    }

    private static IResult Error(HttpContext http, Endpoint endpoint, InferenceError error) =>
        endpoint.Api == RequestApi.OpenAi ? OpenAiEndpoints.Error(http, error) : OllamaEndpoints.Error(http, error);

    private static string Message(object? value) => value is null ? "" : System.Text.Json.JsonSerializer.Serialize(value, RouterJson.Options);

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (copy.Length + read > MaxBody)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    private static byte[] WithStreamFlag(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject json && !json.ContainsKey("stream"))
            {
                json["stream"] = false;
                return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the endpoint says so.
        }

        return body;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed {Model} to {Node} ({Strategy}, estimate {EstimateMs:F0} ms, {Candidates} candidate nodes)")]
    private partial void LogRouted(string model, string node, string strategy, double estimateMs, int candidates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} failed {Model} before the first token ({Problem}); trying the next best")]
    private partial void LogSkipped(string model, string node, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} cools down for {Seconds:F0} s after {Fails} failures in a row")]
    private partial void LogCooling(string node, double seconds, int fails);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The answer for {Model} from {Node} broke off after it started ({Problem}); not retried elsewhere")]
    private partial void LogBroken(string model, string node, string problem);
}
