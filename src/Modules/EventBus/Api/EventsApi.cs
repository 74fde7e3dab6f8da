using System.Text.Json;
using AuroraNode.Modules.EventBus.Bus;
using AuroraNode.Modules.EventBus.Transport;
using AuroraNode.Modules.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AuroraNode.Modules.EventBus.Api;

/// <summary>Publish over HTTP, and watch events as Server-Sent Events.</summary>
internal static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/events");
        group.MapPost("/{channel}", PublishAsync);
        group.MapGet("/stream", StreamAsync);
        group.MapGet("/recent", (string? channels, RecentEvents recent) =>
            TypedResults.Ok(recent.Get(channels is null ? null : channels.Split(',', StringSplitOptions.TrimEntries).ToHashSet())
                .Select(e => new RecentEventView(e.Channel, e.SeenAt, e.Envelope))));
    }

    private static async Task<Results<Accepted<PublishedEvent>, ProblemHttpResult>> PublishAsync(
        string channel, PublishRequest? request, IEventBus bus, TimeProvider time, CancellationToken ct)
    {
        if (!EventChannels.IsValid(channel))
        {
            return TypedResults.Problem($"'{channel}' is not a channel name: use aurora: followed by letters, digits and : _ - . (e.g. aurora:events:global)", statusCode: 400);
        }

        if (string.IsNullOrWhiteSpace(request?.Type) || request.Type.Length > 200)
        {
            return TypedResults.Problem("the body needs a \"type\" (1 to 200 characters), e.g. {\"type\": \"deploy_done\", \"data\": {...}}", statusCode: 400);
        }

        var data = request.Data ?? JsonSerializer.SerializeToElement(new { });
        var envelope = new EventEnvelope(request.Id ?? Guid.NewGuid().ToString("N"), request.Type, bus.NodeName, time.GetUtcNow(), data);
        try
        {
            await bus.PublishAsync(channel, envelope, ct);
        }
        catch (OutboxFullException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: 503);
        }

        return TypedResults.Accepted((string?)null, new PublishedEvent(envelope.Id, channel));
    }

    // Without ?channels= the stream shows what this node receives: global, its roles, itself, the durable channels.
    private static async Task StreamAsync(HttpContext http, string? channels, IEventBus bus, RedisTransport transport, CancellationToken ct)
    {
        var list = string.IsNullOrWhiteSpace(channels)
            ? transport.Membership().Distinct().ToList()
            : channels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (list.FirstOrDefault(c => !EventChannels.IsValid(c)) is { } bad)
        {
            await TypedResults.Problem($"'{bad}' is not a channel name", statusCode: 400).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var gate = new SemaphoreSlim(1, 1);
        var subscriptions = list.Select(channel => bus.Subscribe(channel, async (envelope, _) =>
        {
            var json = JsonSerializer.Serialize(envelope, EventEnvelope.Json);
            await gate.WaitAsync(ct);
            try
            {
                await http.Response.WriteAsync($"id: {envelope.Id}\nevent: {channel}\ndata: {json}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
            finally
            {
                gate.Release();
            }
        })).ToList();
        try
        {
            await http.Response.WriteAsync($": listening to {string.Join(",", list)}\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(15), ct);
                await gate.WaitAsync(ct);
                try
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }
}

/// <summary>The answer to a publish.</summary>
internal sealed record PublishedEvent(string Id, string Channel);
